"""scikit-learn estimators: EEGPT embeddings of EEG epochs, and the paper's linear probe.

:class:`EEGPTEmbedder` (a transformer) and :class:`EEGPTClassifier` (a classifier) follow
scikit-learn's estimator rules (constructor arguments stored as given, fitted state in
attributes ending with ``_``, :func:`~sklearn.base.clone`-able). The embedder goes into a
:class:`~sklearn.pipeline.Pipeline` before any classifier, and both work with
:func:`~sklearn.model_selection.cross_val_score` and
:class:`~sklearn.model_selection.GridSearchCV`::

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(EEGPTEmbedder(weights="eegpt-large", pooling="mean_tokens"),
                        StandardScaler(),  # standardised features: docs/downstream.md
                        LogisticRegression(max_iter=1000))  # tokens averaged: time kept
    cross_val_score(clf, epochs, epochs_labels(epochs), cv=5)

The encoder is frozen. The embedder's ``fit`` only loads it and records the input layout (the same
for every fold), ``transform`` embeds. :class:`EEGPTClassifier` trains the linear probe of the EEGPT
paper (:func:`eegpt.probe.train_probe`) instead of a classifier on pooled features::

    cross_val_score(EEGPTClassifier(weights="eegpt-large"), epochs, epochs_labels(epochs), cv=5)

Each of eegpt's warnings about the data (channels left out, amplitudes, DC offsets ...) is given
once while the calls repeat it, not once per fold and again in ``predict`` (warnings that differ
in more than their measured values, such as another file or channel, are each given; the offset
check is one warning whichever channels each fold's data flag); a fit or a
prediction whose data do not give it ends the repeat, so that the next data that do are warned
about again. The module needs scikit-learn
(``pip install scikit-learn``).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, ParamSpec, TypeVar, cast

import mne
import numpy as np
import torch

from eegpt._logging import Verbose
from eegpt.array_inputs import array_of, refuse_grad_tensor
from eegpt.errors import (
    EEGPTUserWarning,
    MissingDependencyError,
    RecordingError,
    install_hint,
)
from eegpt.io import Units
from eegpt.rename_tables import Rename

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d
except ImportError as err:  # pragma: no cover - depends on the environment
    raise MissingDependencyError(
        f"eegpt.sklearn needs scikit-learn: {install_hint('sklearn')}"
    ) from err

from eegpt._logging import count, each_warning_once, honours_verbose, progress_options
from eegpt._logging import warn as _warn
from eegpt.channels import ChannelMapping, ChannelRules, map_channels, rename_table
from eegpt.config import precision_name
from eegpt.embedding_cache import _resolve_cache, embed_windows
from eegpt.engine import InferenceEngine, Precision, check_batch_size, resolve_device
from eegpt.epochs_files import reads_as_epochs
from eegpt.fingerprints import encoder_of
from eegpt.io import (
    Recording,
    check_integer_samples,
    check_sfreq,
    refuse_braindecode,
    refuse_dataframe,
    refuse_evoked,
    require_array_args_absent,
    units_name,
)
from eegpt.mne_inputs import epochs_labels
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.pooling import POOLINGS, feature_names, pool_embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe import EEGPTProbe, ProbeConfig, row_softmax, train_probe
from eegpt.probe_inputs import (
    as_epochs_recording,
    carried_source,
    is_epochs_list,
    refuse_embeddings,
    subset_mapping,
)
from eegpt.probe_labels import (
    as_classes,
    labels_of,
    refuse_labels_per_recording,
    unknown_labels_hint,
)
from eegpt.probe_training import _picks_read, channels_read

__all__ = ["POOLINGS", "EEGPTClassifier", "EEGPTEmbedder", "first_samples", "pool_embeddings"]

#: The kinds of RuntimeWarnings these estimators hold back while they repeat, and the calls
#: ("fit", "predict") that gave them (:func:`~eegpt._logging.each_warning_once`).
_SHOWN: dict[str, set[str]] = {}
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _warning_once(call: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Run the method under :func:`~eegpt._logging.each_warning_once` as a ``call`` (``"fit"``
    or ``"predict"``, whichever estimator's): scikit-learn fits a clone per fold and resets
    Python's once-per-place filter around each fit and score, so the same warning came once
    per fold, then again in predict. A warning is held back while the calls repeat it, in any
    estimator of the process, and given again after a fit or a prediction without it."""

    def decorate(method: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(method)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with each_warning_once(_SHOWN, call):
                return method(*args, **kwargs)

        return wrapper

    return decorate


def first_samples(X: Any, n_times: int) -> Any:
    """The first ``n_times`` samples of each epoch of ``X`` (``[..., T]`` -> ``[..., n_times]``,
    a view of an array or tensor), the first step of a pipeline whose epochs are longer than
    the window and come as they are made: MOABB's evaluations pass the paradigm's arrays, one
    sample over whole seconds (MNE's ``tmax`` is inclusive: 1001 samples for 4 s at 250 Hz)::

        make_pipeline(FunctionTransformer(first_samples, kw_args={"n_times": 1000}),
                      EEGPTEmbedder(...), ...)

    A function of this module, so that the pipeline pickles (a ``lambda`` does not) and clones.

    Parameters
    ----------
    X : ndarray | torch.Tensor, shape (n_epochs, n_channels, n_times_in)
        Epochs as an array (samples last); ``mne.Epochs`` are cropped by
        ``PreprocessingConfig(crop_tmin=...)`` instead (a TypeError says so).
    n_times : int
        Samples kept of each epoch (at most ``n_times_in``).

    Returns
    -------
    ndarray | torch.Tensor, shape (n_epochs, n_channels, n_times)
    """
    if isinstance(X, (mne.BaseEpochs, list, tuple)):
        raise TypeError(
            f"first_samples crops arrays, got {type(X).__name__}: crop mne.Epochs to one window "
            "with the estimator's preprocessing=PreprocessingConfig(crop_tmin=...) (seconds "
            "relative to their event)"
        )
    if isinstance(n_times, bool) or not isinstance(n_times, (int, np.integer)) or n_times < 1:
        raise ValueError(f"n_times must be a positive whole number of samples, got {n_times!r}")
    if X.shape[-1] < n_times:
        raise ValueError(
            f"first_samples: X has {X.shape[-1]} samples per epoch, fewer than the "
            f"n_times={n_times} to keep; keep at most {X.shape[-1]}"
        )
    return X[..., :n_times]


def _epochs_input(X: Any) -> bool:
    """mne.Epochs, a list of them, or the path of an MNE epochs file (``-epo.fif``); also a
    continuous recording (``mne.io.Raw``, another path), refused by
    :func:`_refuse_continuous` with how to cut epochs from it."""
    return isinstance(X, (mne.BaseEpochs, mne.io.BaseRaw, str, os.PathLike)) or is_epochs_list(X)


#: What each estimator does with epochs, for :func:`_refuse_continuous`'s message.
_DOES = {"EEGPTEmbedder": "transforms", "EEGPTClassifier": "classifies"}


def _refuse_continuous(X: Any, estimator: str, window_seconds: float) -> None:
    """Refuse a continuous recording, an ``mne.io.Raw`` or the path of a file that holds no
    epochs (as ``model.embed`` reads it: :func:`~eegpt.epochs_files.reads_as_epochs`), given to ``estimator`` (``"EEGPTEmbedder"``, ``"EEGPTClassifier"``): the one check
    of both estimators, at fit and in every prediction. They take epochs, one row of output
    each; cut into windows, a recording would give rows that no ``y`` of its epochs lines up
    with. Says how to cut epochs of ``window_seconds`` from it (and, for the classifier, how
    to predict its consecutive windows: the fitted probe takes a recording)."""
    if isinstance(X, mne.io.BaseRaw):
        found, read, files = "got a continuous mne.io.Raw, but ", "", ""
    elif isinstance(X, (str, os.PathLike)) and not reads_as_epochs(X):
        found, read = f"{X}: ", "raw = mne.io.read_raw(path); "
        files = (
            "; pass an MNE epochs file (-epo.fif), an epoched EEGLAB .set file, an .npz of "
            "epochs arrays, an mne.Epochs or an array [n_epochs, C, T]"
        )
    else:
        return
    raise ValueError(
        f"{found}{_cut_epochs_advice(estimator, window_seconds, read)}{files}"
        f"{_probe_windows_advice(estimator, 'raw' if not read else 'path')}"
    )


def _cut_epochs_advice(estimator: str, window_seconds: float, read: str = "") -> str:
    """What ``estimator`` does with epochs and how to cut epochs of ``window_seconds`` (s)
    from a continuous recording ``raw`` (``read``: how to open it first), for the refusals
    of continuous recordings, one or a list of them."""
    cut = f"mne.make_fixed_length_epochs(raw, duration={window_seconds:g}, preload=True)"
    return (
        f"{estimator} {_DOES[estimator]} epochs (one row per epoch); cut them from the "
        f"recording first, e.g. {read}epochs = {cut} (consecutive {window_seconds:g} s windows)"
    )


def _probe_windows_advice(estimator: str, recording: str) -> str:
    """For the classifier, how its fitted probe predicts the consecutive windows of a
    continuous recording (named ``recording`` in the code shown); nothing for the embedder."""
    if estimator != "EEGPTClassifier":
        return ""
    return (
        "; the consecutive windows of a recording are predicted by the fitted probe: "
        f"clf.probe_.predict_proba({recording})"
    )


def _first_epoch(rec: Recording) -> Recording:
    """The first epoch of ``rec`` (``[1, C, T]``) as a Recording of its own, for checks of
    the epochs' length and channels by :func:`~eegpt.preprocessing.prepare` (all of them are
    prepared later): everything else ``rec`` says of its epochs is kept, their times
    (``tmin``, by which ``crop_tmin`` crops mne.Epochs) included; the fields of one entry
    per epoch (labels, onsets, metadata ...) keep the first's."""
    epoch = slice(0, 1)
    metadata = rec.epochs_metadata
    return dataclasses.replace(
        rec,
        data=rec.data[epoch],
        onsets=None if rec.onsets is None else rec.onsets[epoch],
        labels=None if rec.labels is None else rec.labels[epoch],
        epoch_annotations=None if rec.epoch_annotations is None else rec.epoch_annotations[epoch],
        selection=None if rec.selection is None else rec.selection[epoch],
        epochs_metadata=None if metadata is None else metadata.iloc[epoch],
    )


def _refuse_array_params(est: Any, X: Any) -> None:
    """Raise a :class:`~eegpt.errors.RecordingError` where the estimator ``est`` was given
    ``ch_names``, ``sfreq`` or ``units`` (other than volts) and ``X`` carries its own
    (``mne.Epochs``, a list of them, ``mne.io.Raw``, a path), as :func:`eegpt.embed` and
    :func:`~eegpt.probe.train_probe` refuse them (:func:`~eegpt.io.require_array_args_absent`):
    ignored, a ``units="uV"`` meant to correct epochs whose samples are microvolts would
    change nothing. Checked at fit, transform and predict (scikit-learn estimators validate
    their parameters there, not in ``__init__``)."""
    source = carried_source(X) or f"<{type(X).__name__}>"
    require_array_args_absent(
        est.ch_names, est.sfreq, units_name(est.units), f"{source} (given to {type(est).__name__})"
    )


def _epochs_array(
    X: Any,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    estimator: str,
    units: str,
    fitted_times: int | None = None,
    window_seconds: float = PreprocessingConfig.window_seconds,
) -> np.ndarray:
    """Array input as epochs ``[n_epochs, C, T]`` (float64) after scikit-learn's own checks
    (dense, numeric, finite, not empty); 2-D input is read as epochs flattened in C order.

    A 2-D array with as many rows as channels (more than one) is refused as one window or
    continuous recording ``[C, T]`` (:func:`_refuse_one_recording`), unless its columns are
    epochs of about one window (:func:`_flattened_epochs`; after fit, of fit's epochs'
    length, ``fitted_times``): read as flattened, its rows would each mix all channels'
    samples. Those it reads as flattened epochs are a recording ``[C, T]`` just as well: read
    as epochs, with a warning saying how to pass either as 3-D (:func:`_warn_both_readings`).
    ``sfreq`` (Hz) and ``window_seconds`` size those windows, and the windows that refusal
    shows how to cut."""
    refuse_embeddings(X, estimator)  # Embeddings: refused before any check of them
    refuse_braindecode(X)
    refuse_evoked(X, estimator)
    refuse_dataframe(
        X,
        f"X = df[names].to_numpy().T[None] (a batch of one epoch) with {estimator}(ch_names="
        "names, sfreq=..., units=...); epochs flattened one per row: X = df.to_numpy()",
    )
    _refuse_recordings_list(X, estimator, window_seconds)
    if ch_names is None or sfreq is None:  # a RecordingError, as model.embed's
        raise RecordingError(
            f"array input needs the channel names and sampling rate: {estimator}(ch_names=[...], "
            "sfreq=..., units='V' (the default) or 'uV', as the samples are) (or pass mne.Epochs)"
        )
    refuse_grad_tensor(X, estimator)  # as model.embed refuses one
    if isinstance(X, (torch.Tensor, np.ma.MaskedArray)):  # as model.embed reads one
        # (bfloat16 as float32; a masked array with masked samples refused, as model.embed
        # refuses one): check_array and dtype checks take NumPy's, and drop a mask
        X = array_of(X)
    check_integer_samples(X, units, f"{estimator}(units=...)", "X * 0.1 (to fit and transform)")
    try:
        array = check_array(X, dtype=np.float64, allow_nd=True, ensure_all_finite=True)
    except ValueError as err:
        if "NaN" not in str(err) and "infinity" not in str(err):
            raise
        _refuse_nonfinite(np.asarray(X, dtype=np.float64), err)
        raise
    n_ch = len(ch_names)
    if array.ndim == 2:
        if array.shape[0] == n_ch > 1:
            rate = check_sfreq(sfreq, "<array>")
            if not _flattened_epochs(array.shape[1], n_ch, fitted_times, window_seconds * rate):
                _refuse_one_recording(array.shape, rate, window_seconds)
            _warn_both_readings(array.shape, rate, window_seconds)
        if array.shape[1] % n_ch:
            raise ValueError(
                f"X has {array.shape[1]} features, which is not a multiple of the {n_ch} "
                "channels in ch_names; 2-D input must be epochs flattened to "
                "[n_epochs, n_channels * n_times] (a single window [n_channels, n_times] needs "
                "a leading batch axis: X[None])"
            )
        array = array.reshape(len(array), n_ch, -1)
    elif array.ndim == 4:
        refuse_embeddings(array, estimator)
    elif array.ndim != 3:
        raise ValueError(
            f"Expected 2D or 3D array: epochs [n_epochs, n_channels, n_times] (or flattened "
            f"[n_epochs, n_channels * n_times]), got shape {array.shape}"
        )
    return array


def _refuse_nonfinite(X: np.ndarray, cause: Exception | None = None) -> None:
    """Refuse epochs ``X`` (``[n_epochs, ...]``, numeric) with NaN or infinite samples, naming
    those epochs by their index in ``X``; looked at :data:`_CHUNK` epochs at a time, so that
    :meth:`EEGPTEmbedder.embed` checks all of an array it embeds in chunks before the first
    (a chunk's own check named the epochs by their index in the chunk, of the chunk's count)."""
    which: list[int] = []
    for start in range(0, len(X), _CHUNK):
        chunk = X[start : start + _CHUNK]
        finite = np.isfinite(chunk).reshape(len(chunk), -1).all(axis=1)
        which.extend((start + np.flatnonzero(~finite)).tolist())
    if not which:
        return
    shown = ", ".join(map(str, which[:10])) + (", ..." if len(which) > 10 else "")
    raise ValueError(
        f"X has NaN or infinite samples in {len(which)} of {len(X)} epochs ({shown}); "
        "leave those epochs out or repair the samples (e.g. interpolate) first"
    ) from cause


def _whole_array_checks(X: np.ndarray, ch_names: Sequence[str] | None) -> np.ndarray:
    """The checks of an array the estimators read in chunks of :data:`_CHUNK` epochs that
    concern all of it: its non-finite samples, named by their epochs' index in ``X``, and, for
    2-D ``X`` (``ch_names``: its channels), its reading as flattened epochs, returned as
    ``[n_epochs, C, T]`` (a view): a chunk of as many rows as channels was warned of as a
    recording ``[C, T]`` of its shape."""
    if np.issubdtype(X.dtype, np.number) and not np.issubdtype(X.dtype, np.integer):
        _refuse_nonfinite(X)
    n_ch = None if ch_names is None else len(ch_names)
    if X.ndim == 2 and n_ch and len(X) != n_ch and X.shape[1] % n_ch == 0:
        return X.reshape(len(X), n_ch, -1)
    return X


def _refuse_recordings_list(X: Any, estimator: str, window_seconds: float) -> None:
    """Refuse a list (or tuple) of recordings, paths or MNE objects, of which some are
    continuous (``mne.io.Raw``, an EDF file): the estimators take epochs, and such a list is
    no array, whose channel names and rate they would otherwise ask for. Says how to cut the
    epochs (of ``window_seconds``), as for one continuous recording."""
    if not isinstance(X, (list, tuple)) or not X or is_epochs_list(X):
        return
    recordings = (mne.io.BaseRaw, mne.BaseEpochs, str, os.PathLike)
    if not all(isinstance(d, recordings) for d in X):
        return
    continuous = [d for d in X if not is_epochs_list([d])]
    name = carried_source(continuous[0])
    cut = f"mne.make_fixed_length_epochs(mne.io.read_raw(p), duration={window_seconds:g}, preload=True)"
    raise ValueError(
        f"got a {type(X).__name__} of {count(len(X), 'recording')}, {len(continuous)} "
        f"continuous ({name}), but {_cut_epochs_advice(estimator, window_seconds)}"
        f"{_probe_windows_advice(estimator, 'raw')}; for several "
        f"recordings: epochs = [{cut} for p in paths] (a list of mne.Epochs, one row per "
        "window; groups=... keeps each recording's windows on one side in cross-validation). "
        "One value per recording (an age): pool each recording's embeddings (eegpt.embed, or "
        "EEGPTEmbedder(pooling='mean') on its epochs, averaged over them)"
    )


def _flattened_epochs(
    n_cols: int, n_ch: int, fitted_times: int | None, window_samples: float
) -> bool:
    """Whether a 2-D array of ``n_cols`` columns and as many rows as its ``n_ch`` channels
    reads as flattened epochs after all: those of a fitted estimator's length
    (``fitted_times`` samples), or, at fit, epochs of about one window (``window_samples``:
    the window at the array's rate, from half to one and a half of it), as a fold of as many
    epochs as channels holds, where a recording ``[C, T]`` would be refused."""
    if n_cols % n_ch:
        return False
    if fitted_times is not None:
        return n_cols == n_ch * fitted_times
    return 0.5 * window_samples <= n_cols // n_ch <= 1.5 * window_samples


def _n_windows(n_cols: int, sfreq: float, window_seconds: float) -> int:
    """How many whole windows of ``window_seconds`` a recording of ``n_cols`` samples at
    ``sfreq`` Hz holds (0 for a window of no samples)."""
    window = window_seconds * sfreq  # samples of a window at the array's own rate
    return int(n_cols // window) if window > 0 else 0


def _recording_advice(shape: tuple[int, ...], sfreq: float, window_seconds: float) -> str:
    """How to pass a 2-D array of ``shape`` ``[C, T]`` (``T`` samples at ``sfreq`` Hz) that is
    a continuous recording: the reshape that cuts it into windows of ``window_seconds``
    ``[n_windows, C, T]`` (where it holds two or more of a whole number of samples), or
    ``model.embed``."""
    n_ch, n_cols = shape
    window = window_seconds * sfreq
    k = _n_windows(n_cols, sfreq, window_seconds)
    if k >= 2 and float(window).is_integer():
        w = int(window)
        return (
            f"a continuous recording ({n_cols / sfreq:g} s at {sfreq:g} Hz): cut it into {k} "
            f"windows of {window_seconds:g} s, X[:, :{k * w}].reshape({n_ch}, {k}, {w})"
            f".transpose(1, 0, 2) ([{k}, {n_ch}, {w}], one row each), or embed it with "
            "model.embed(X, ch_names=..., sfreq=..., units=...)"
        )
    return (
        f"a continuous recording ({n_cols / sfreq:g} s at {sfreq:g} Hz): embed it with "
        "model.embed(X, ch_names=..., sfreq=..., units=...), or cut it into windows "
        "[n_windows, n_channels, n_times] first"
    )


def _warn_both_readings(shape: tuple[int, ...], sfreq: float, window_seconds: float) -> None:
    """Warn that a 2-D array of ``shape`` ``[C, C * n]`` (as many rows as channels, read as
    ``C`` epochs of ``n`` samples flattened) reads just as well as one continuous recording
    ``[C, T]`` of ``T / sfreq`` seconds, which read as epochs gives ``C`` rows that each mix
    all channels' samples; says how to pass either as 3-D, which no warning follows. The
    shape alone cannot tell them apart (a 128 s recording of 32 channels at 128 Hz is also 32
    epochs of 4 s flattened)."""
    n_ch, n_cols = shape
    n = n_cols // n_ch
    _warn(
        f"X of shape {shape} (as many rows as ch_names has channels) reads two ways: {n_ch} "
        f"epochs of {n_ch} channels x {n} samples ({n / sfreq:g} s at {sfreq:g} Hz) flattened "
        "to [n_epochs, n_channels * n_times], as 2-D input is read and as it is read here; or "
        f"one continuous recording [n_channels, n_times] of {n_cols / sfreq:g} s, whose {n_ch} "
        f"rows read as epochs each mix all {n_ch} channels' samples (meaningless features). "
        "Pass X as 3-D [n_epochs, n_channels, n_times] to say which: "
        f"epochs flattened, X.reshape({n_ch}, {n_ch}, {n}); "
        f"{_recording_advice(shape, sfreq, window_seconds)}",
        EEGPTUserWarning,
        kind="2-D X reads as epochs or as a recording",
    )


def _refuse_one_recording(shape: tuple[int, ...], sfreq: float, window_seconds: float) -> None:
    """Refuse a 2-D array of ``shape`` ``[C, T]`` (as many rows as channels) with how to pass
    one window (``X[None]``), a continuous recording (cut into windows of ``window_seconds``
    at ``sfreq`` Hz, or ``model.embed``) or epochs flattened after all (a 3-D reshape)."""
    n_ch, n_cols = shape
    k = _n_windows(n_cols, sfreq, window_seconds)
    one = f"one window: X[None] (X.reshape(1, {n_ch}, {n_cols})), for an output of one row"
    cut = _recording_advice(shape, sfreq, window_seconds)
    ways = [cut, one] if k >= 2 else [one, cut]
    flat = (
        f"; epochs flattened after all (their channels' samples one after the other): pass "
        f"them as 3-D, X.reshape({n_ch}, {n_ch}, {n_cols // n_ch})"
        if n_cols % n_ch == 0
        else ""
    )
    raise ValueError(
        f"X of shape {shape} looks like a single window or a continuous recording "
        f"[n_channels, n_times] ({n_ch} rows, as many as ch_names has channels), but 2-D input "
        "is read as epochs flattened to [n_epochs, n_channels * n_times]: each row would be "
        f"taken for one epoch of all {n_ch} channels. Pass {'; or '.join(ways)}{flat}"
    )


def _check_common_params(est: Any) -> None:
    """Checks of the parameters both estimators have, at :meth:`fit`: the embedder's fit runs
    no encoder, so a wrong ``precision``, ``device`` or ``cache`` was only refused by the
    first ``transform``, after a fit that seemed to work."""
    units_name(est.units)  # any letter case, as model.embed takes it ("uv"); "MV" refused
    check_batch_size(est.batch_size)
    precision_name(est.precision)  # "fp16", "BF16" ... taken, as everywhere
    resolve_device(est.device)  # a device named wrongly, or one PyTorch does not see
    _resolve_cache(est.cache)  # a bool, a folder or an EmbeddingCache
    ChannelRules(est.on_unknown, est.on_missing)  # "drop"/"raise"; "raise"/"ignore"/None
    if est.preprocessing is not None and not isinstance(est.preprocessing, PreprocessingConfig):
        raise TypeError(
            "preprocessing must be a PreprocessingConfig or None, got "
            f"{type(est.preprocessing).__name__}"
        )


def _fitted_rename(est: Any) -> Mapping[str, str | None] | str | os.PathLike | None:
    """The rename table a fitted estimator uses: the one read from ``est.rename`` (a file,
    a cap's name) at fit (``rename_``), so that predicting reads no file; ``est.rename`` for
    an estimator pickled by an earlier eegpt, which kept none."""
    return vars(est).get("rename_", est.rename)


def _prediction_rename(clf: Any) -> Mapping[str, str | None] | str | os.PathLike | None:
    """The ``rename`` a fitted classifier hands its probe's predictions: None where the probe
    recorded the table of fit (``probe_.rename``, the ``rename_`` it was trained with), so
    that the probe applies its own table as to any recording, whose labels it may lack
    (another session's ``C5`` for fit's ``EEG C5-REF``: matched by electrode, as the
    embedder's :meth:`~EEGPTEmbedder.transform` and ``eegpt probe predict`` match them);
    given again, the table would be taken for one the caller wrote for these data, every key
    of which must name one of their channels. A probe without a table of its own (pickled by
    an earlier eegpt) gets the fitted one (:func:`_fitted_rename`)."""
    return None if getattr(clf.probe_, "rename", None) else _fitted_rename(clf)


def _fill_added_params(est: Any) -> None:
    """Give an estimator unpickled from an earlier eegpt the parameters added to its
    ``__init__`` since (``progress`` of :class:`EEGPTEmbedder`), at their defaults: predicting
    and ``get_params`` read every one. Their defaults are what that eegpt did."""
    import inspect

    for name, param in inspect.signature(type(est).__init__).parameters.items():
        if name != "self" and param.default is not inspect.Parameter.empty:
            vars(est).setdefault(name, param.default)


def _load_encoder(est: Any) -> Any:
    """``est.model`` (type-checked), or the checkpoint ``est.weights`` loaded on the CPU."""
    if isinstance(est.model, (str, os.PathLike)):  # the first positional parameter
        raise TypeError(
            f"{type(est).__name__}({est.model!r}): the first parameter, model, takes a loaded "
            f"EEGPT; pass a checkpoint path or pretrained name as weights={str(est.model)!r}"
        )
    if est.model is not None:
        encoder_of(est.model)  # type check with a clear message
        return est.model
    if est.weights is not None:
        from eegpt.checkpoints import load_model

        return load_model(est.weights, device="cpu", verbose=est.verbose)
    raise ValueError(
        f"{type(est).__name__} needs an encoder: model= (a loaded EEGPT) or weights= (a "
        "checkpoint path or a pretrained name such as 'eegpt-large')"
    )


class _EngineSlot:
    """The :class:`~eegpt.engine.InferenceEngine` a fitted embedder's :meth:`~EEGPTEmbedder.
    transform` calls share, kept with the encoder and settings it was built for and built
    again when any differ (``set_params(batch_size=...)`` after fit, another ``model_``).
    Made by :meth:`~EEGPTEmbedder.fit`, so that ``transform`` changes no attribute of the
    estimator (scikit-learn checks that); never pickled or copied (an engine holds CUDA graphs
    and compiled code): a copy starts empty."""

    def __init__(self) -> None:
        self.encoder: EEGPTEncoder | None = None
        self.settings: tuple[Any, ...] | None = None
        self.engine: InferenceEngine | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def get(
        self,
        encoder: EEGPTEncoder,
        settings: tuple[Any, ...],
        build: Callable[[], InferenceEngine],
    ) -> InferenceEngine:
        """The engine built for ``encoder`` (the same object) with ``settings`` (equal), or a
        new one from ``build()``, kept in place of the last."""
        if self.engine is None or self.encoder is not encoder or self.settings != settings:
            self.engine, self.encoder, self.settings = build(), encoder, settings
        return self.engine


_CHUNK = 256  # epochs of an array embedded at a time by EEGPTEmbedder.embed

_CONFIGS: dict[str, type] = {"preprocessing": PreprocessingConfig, "config": ProbeConfig}


class _ConfigParams:
    """The fields of the ``preprocessing`` and ``config`` dataclasses as scikit-learn's nested
    parameters: ``set_params(config__max_lr=1e-3)``, ``GridSearchCV(clf,
    {"preprocessing__window_seconds": [2.0, 4.0]})``. Setting one replaces the whole (frozen)
    config by a copy with that field changed, starting from the default config when it is
    None; the copy is checked as any config is."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=deep)  # type: ignore[misc]
        if deep:
            for name, cls in _CONFIGS.items():
                if name in params:
                    value = params[name] if params[name] is not None else cls()
                    params.update(
                        {f"{name}__{f.name}": getattr(value, f.name) for f in _fields(value)}
                    )
        return params

    def set_params(self, **params: Any) -> Any:
        nested: dict[str, dict[str, Any]] = {}
        own = self.get_params(deep=False)
        for key in list(params):
            name, sep, field_ = key.partition("__")
            if sep and name in _CONFIGS and name in own:
                nested.setdefault(name, {})[field_] = params.pop(key)
        super().set_params(**params)  # type: ignore[misc]
        for name, changes in nested.items():
            current = getattr(self, name)
            current = current if current is not None else _CONFIGS[name]()
            known = [f.name for f in _fields(current)]
            unknown = sorted(set(changes) - set(known))
            if unknown:
                raise ValueError(
                    f"Invalid parameter {name}__{unknown[0]} for estimator {type(self).__name__}: "
                    f"{type(current).__name__} has no field {unknown[0]!r} (fields: "
                    f"{', '.join(known)})"
                )
            setattr(self, name, dataclasses.replace(current, **changes))
        return self


def _fields(config: Any) -> list[dataclasses.Field]:
    """The init fields of a config dataclass (not dataclasses: none)."""
    if not dataclasses.is_dataclass(config):
        return []
    return [f for f in dataclasses.fields(config) if f.init]


class EEGPTEmbedder(_ConfigParams, TransformerMixin, BaseEstimator):
    """EEGPT embeddings of EEG epochs as a scikit-learn transformer (frozen encoder).

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder | None
        A loaded model. Either ``model`` or ``weights`` is needed; ``model`` wins.
        :meth:`fit` leaves it as given: the fitted embedder runs a copy (``model_``), so that
        changing ``model`` later (training it, moving it) does not change what the fitted
        embedder computes (see Notes).
    weights : str | Path | None
        Checkpoint path or pretrained name, loaded in :meth:`fit` by :func:`eegpt.load_model`.
    ch_names : sequence of str | None
        Channel names of array input (one per channel, axis 1). For ``mne.Epochs`` (and
        ``mne.io.Raw``, paths), which carry their own, leave it None: given, :meth:`fit` and
        :meth:`transform` raise a :class:`~eegpt.errors.RecordingError`, as
        :func:`eegpt.embed` does.
    sfreq : float | None
        Sampling rate of array input in Hz. Likewise refused for ``mne.Epochs``.
    units : {"V", "mV", "uV", "µV"}
        Amplitude unit of array input, in any letter case (``"uv"`` is ``"uV"``; not ``"MV"``,
        megavolts), as :func:`eegpt.embed` takes it. Other than ``"V"``, refused for
        ``mne.Epochs`` (always volts; rescale epochs whose samples are in another unit with
        ``epochs.apply_function(lambda x: x * factor)``).
    pooling : str | callable
        How the summary tokens ``[N, S, D]`` of an epoch become one feature vector; see
        :data:`POOLINGS` (default ``"flatten"``).
    preprocessing : PreprocessingConfig | None
        Resampling, reference, scale and window length; every epoch is one window, so epochs
        must last ``window_seconds`` (shorter ones with ``tail="pad"``). Default: 256 Hz, 4 s,
        average reference (a single channel needs
        ``PreprocessingConfig(average_reference=False)``).
    rename : dict | str | path-like | None
        Channel-name overrides for :func:`~eegpt.channels.map_channels`: a dict, a cap's or a
        dataset's name (``"biosemi64"``, ``"bci-iv-2a"``) or a table file. Tables
        (names, files, :func:`~eegpt.channels.read_rename_table`) may name channels the epochs
        lack (a subset picked): those are ignored; a dict's keys must each name a channel of
        one input (``on_missing``).
    picks : str | sequence of str | None
        The channel types (or names) read from ``mne.Epochs`` and files (MNE's ``picks``, as
        :func:`eegpt.embed` and :func:`~eegpt.probe.train_probe` read them); None: EEG alone
        (``"eeg"``). ``["eeg", "misc"]`` also reads electrodes a file types ``misc``. Read at
        :meth:`fit` (``picks_``) and used by :meth:`transform`; refused for arrays, whose
        channels are their rows (a :class:`~eegpt.errors.RecordingError`).
    keep : str | sequence of str | None
        Use only these vocabulary channels (after ``rename``; before the average reference,
        which then runs over them), as :func:`eegpt.embed` and
        :func:`~eegpt.probe.train_probe` take it: ``"10-20"``, names, ``-NAME`` removing
        one. Recordings of several systems then give features of one channel set. Read at
        :meth:`fit` (``keep_``) and used by :meth:`transform`.
    on_unknown : ``"drop"`` | ``"raise"``
        Channel names outside the EEGPT vocabulary, as :func:`eegpt.embed` takes it: dropped
        with one warning (the default) or a ``ValueError`` naming them. Checked at
        :meth:`fit`, kept there (``on_unknown_``) and used by :meth:`transform`.
    on_missing : ``"raise"`` | ``"ignore"`` | None
        ``rename`` keys that name no channel: ``"raise"`` or ``"ignore"``; None (the
        default): ``"raise"`` for one input, as :func:`eegpt.embed`, ``"ignore"`` for a list
        of them (a key may name another recording's channel). Kept at :meth:`fit`
        (``on_missing_``); :meth:`transform` applies fit's table to its data as given there,
        None ignoring keys they lack.
    batch_size : int | None
        Epochs per forward pass; ``None``: 64 on a GPU, a few on a CPU (see
        :func:`eegpt.engine.default_batch_size`).
    device : str | None
        ``None`` picks CUDA when available.
    precision : {"float32", "bfloat16", "float16"}
        Inference precision (see :class:`~eegpt.engine.InferenceEngine`).
    cache : bool | str | EmbeddingCache
        Reuse each window's embedding wherever the same window comes again with the same
        weights and settings (:func:`eegpt.probe.embed_windows`): cross-validation folds and
        grid-search candidates then embed each trial once. True: the process-wide
        :func:`~eegpt.embedding_cache.default_cache`; a folder: kept on disk; off by default.
        Keyed by the weights' fingerprint noted without hashing them: after weights edited
        through ``p.data`` call ``model.clear_fast_cache()``.
    progress : bool
        A progress bar over the epochs of each :meth:`transform` / :meth:`embed` (thousands
        of trials with the large model take minutes on a CPU).
    verbose : bool | str | int | None
        Log channel mapping and preprocessing: True, ``"info"`` or a logging level up to 20;
        None, False and 0 (as in scikit-learn) are quiet.

    Attributes
    ----------
    model_ : EEGPT | EEGPTEncoder
        The encoder used.
    mapping_ : ChannelMapping
        Input channels -> EEGPT vocabulary.
    rename_ : dict
        The table ``rename`` stands for, read at :meth:`fit` (a file's or a cap's entries,
        :func:`~eegpt.channels.rename_table`; ``{}`` for none): what :meth:`transform` uses,
        so a fitted embedder no longer needs the file (moved, or unpickled elsewhere).
    picks_ : str | list of str
        The channel types read, as :meth:`fit` read them (``picks``; ``"eeg"`` for None):
        what :meth:`transform` reads.
    keep_ : str | list of str | None
        The vocabulary channels kept, as :meth:`fit` kept them (``keep``): what
        :meth:`transform` keeps.
    on_unknown_, on_missing_ : str | None
        ``on_unknown`` and ``on_missing`` as :meth:`fit` applied them: what
        :meth:`transform` applies.
    preprocessing_ : PreprocessingConfig
        The preprocessing of :meth:`fit` (``preprocessing``; the default for None): what
        :meth:`transform` uses, so a pickled embedder keeps the default it was fitted with.
    pooling_ : str | callable
        The pooling of :meth:`fit`: what :meth:`transform` and :meth:`get_feature_names_out`
        use. Like every parameter that shapes the output, ``set_params(pooling=...)`` or
        ``set_params(preprocessing=...)`` on a fitted embedder takes effect at the next
        :meth:`fit` (scikit-learn's rule): until then the output keeps ``n_features_out_``.
    ch_names_in_ : list of str
        Channel names seen in :meth:`fit`.
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch seen in :meth:`fit`.
    n_features_in_ : int
        ``n_channels_in_ * n_times_in_``: the columns of 2-D input (epochs flattened in C
        order); set for ``mne.Epochs`` too, as the columns their flattened data would have.
    embedding_shape_ : tuple of int
        ``(N, S, D)`` of one epoch.
    n_features_out_ : int
        Columns of :meth:`transform`'s output.

    Notes
    -----
    ``X`` is an ``mne.Epochs``, a list of them (what scikit-learn's splitters make of one), the
    path of an MNE epochs file (``-epo.fif``) or a list of them, an array ``[n_epochs,
    n_channels, n_times]``, or the same flattened to ``[n_epochs, n_channels * n_times]`` (C
    order, channels outer), which is what tools that only handle 2-D data pass; a torch tensor
    of either is read as its values (bfloat16 as float32), as :func:`eegpt.embed` reads one.
    A continuous recording (``mne.io.Raw``, the path of one) is refused with how to cut epochs
    from it, by both estimators. A single
    window ``[n_channels, n_times]`` (an online decision) is a batch of one: pass ``X[None]``
    (a 2-D array shaped as one window is refused with that advice). Outputs are float32.

    Fitting never changes ``model``. scikit-learn lets ``fit`` keep a reference to a parameter
    it does not modify, but a model is often trained, moved or reloaded afterwards, and a fitted
    embedder whose features changed with it would silently feed a pipeline's classifier features
    unlike those it was trained on; so :meth:`fit` copies the model it was given (a
    ``deepcopy``: about 0.1-0.5 s for a model of width 512 and depth 8 on a CPU). A clone's
    ``model`` (copied by :func:`~sklearn.base.clone`) is copied again: its ``model`` is the
    object users reach (``GridSearchCV(...).best_estimator_.model``) and may train or cast
    afterwards, which must not change the fitted features. :meth:`transform` keeps its
    :class:`~eegpt.engine.InferenceEngine` (CUDA graphs, reduced-precision weights) for the next
    call, and builds another when ``device``, ``precision`` or ``batch_size`` changed; the
    engine is never pickled.
    """

    def __init__(
        self,
        model: EEGPT | EEGPTEncoder | None = None,
        *,
        weights: str | None = None,
        ch_names: Sequence[str] | None = None,
        sfreq: float | None = None,
        units: Units = "V",
        pooling: str | Callable[[np.ndarray], np.ndarray] = "flatten",
        preprocessing: PreprocessingConfig | None = None,
        rename: Rename | None = None,
        picks: str | Sequence[str] | None = None,
        keep: str | Sequence[str] | None = None,
        on_unknown: Literal["drop", "raise"] = "drop",
        on_missing: Literal["raise", "ignore"] | None = None,
        batch_size: int | None = None,
        device: str | None = None,
        precision: Precision = "float32",
        cache: Any = False,
        progress: bool = False,
        verbose: Verbose = None,
    ) -> None:
        self.model = model
        self.weights = weights
        self.ch_names = ch_names
        self.sfreq = sfreq
        self.units = units
        self.pooling = pooling
        self.preprocessing = preprocessing
        self.rename = rename
        self.picks = picks
        self.keep = keep
        self.on_unknown = on_unknown
        self.on_missing = on_missing
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.cache = cache
        self.progress = progress
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ------------------------------------------------------------------ helpers
    def _check_params(self) -> None:
        if not callable(self.pooling) and self.pooling not in POOLINGS:
            raise ValueError(
                f"unknown pooling {self.pooling!r}; use one of {sorted(POOLINGS)} or a callable"
            )
        _check_common_params(self)

    def _recording(
        self,
        X: Any,
        verbose: Verbose,
        rename: Mapping[str, str | None] | None = None,
        fitted_times: int | None = None,
        picks: str | Sequence[str] | None = None,
        config: PreprocessingConfig | None = None,
        keep: str | Sequence[str] | None = None,
        rules: ChannelRules | None = None,
    ):
        """``X`` as a Recording; ``rename``: the table of fit (default: the fitted one);
        ``fitted_times``: the samples per epoch of fit, to tell a single window from epochs
        (:func:`_epochs_array`); ``picks``: the channel types read from epochs (default: those
        of fit, ``picks_``), refused for arrays other than ``"eeg"``; ``config``: the
        preprocessing of the fit that reads ``X`` (default: the fitted one, :meth:`_config`);
        ``keep``: the vocabulary channels kept (default: those of fit, ``keep_``); ``rules``:
        what mapping a list's recordings does with unknown channels and missing ``rename``
        keys (default: those of fit, :meth:`_rules`)."""
        picks = vars(self).get("picks_", "eeg") if picks is None else picks
        rules = self._rules() if rules is None else rules
        keep = vars(self).get("keep_") if keep is None else keep
        config = self._config() if config is None else config
        if _epochs_input(X):
            _refuse_continuous(X, type(self).__name__, config.window_seconds)
            _refuse_array_params(self, X)
            return as_epochs_recording(
                X, ch_names=None, sfreq=None, units="V", verbose=verbose,
                rename=_fitted_rename(self) if rename is None else rename,
                preprocessing=config, what="EEGPTEmbedder", picks=picks, keep=keep, rules=rules,
            )  # fmt: skip
        _picks_read(picks, X, None)  # an array has no channel types to pick by
        array = _epochs_array(
            X, self.ch_names, self.sfreq, type(self).__name__, units_name(self.units),
            fitted_times, config.window_seconds,
        )  # fmt: skip
        return as_epochs_recording(
            array, ch_names=self.ch_names, sfreq=self.sfreq, units=self.units, verbose=verbose
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickle ``model_`` as a note when it is a copy of ``model`` made by :meth:`fit`, so a
        fitted embedder (or a pipeline, or what ``n_jobs`` sends to workers) stores the
        weights once, not twice; a ``model_`` of its own is stored on the CPU, so the pickle
        loads on machines without a GPU."""
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__ itself
        if "model_" in state and state.get("_model_copy_of") is not None:
            copied = state["_model_copy_of"]
            if copied is state["model"] and _same_weights(state["model_"], copied):
                del state["model_"]
                state["_model_copy_of"] = "model"
        if "model_" in state and any(p.device.type != "cpu" for p in state["model_"].parameters()):
            state["model_"] = copy.deepcopy(state["model_"]).to("cpu")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        _fill_added_params(self)
        if "mapping_" in state:  # fitted: one fitted by an earlier eegpt kept no pooling_
            # (nor, earlier still, preprocessing_); what its fit used then is kept, so that
            # set_params after loading takes effect at the next fit, as for one fitted now
            self.__dict__.setdefault("pooling_", self.pooling)
            if state.get("preprocessing_") is None:
                self.preprocessing_ = self._config()
        if state.get("_model_copy_of") == "model":  # model_ was a copy of model: not None
            self.model_ = copy.deepcopy(cast("EEGPT | EEGPTEncoder", self.model))
            self._model_copy_of = self.model

    def _engine(self, encoder: EEGPTEncoder) -> InferenceEngine:
        """The engine of ``encoder`` with the current ``device``, ``precision`` and
        ``batch_size``: the one of the last :meth:`transform` where none of them changed."""

        def build() -> InferenceEngine:
            return InferenceEngine(
                encoder,
                device=self.device,
                precision=self.precision,
                batch_size=self.batch_size,
                fused=encoder.fused,  # as the model says, as embed() does
            )

        slot = vars(self).get("_engines")
        if slot is None:  # fitted and pickled by an earlier eegpt
            return build()
        settings = (self.device, self.precision, self.batch_size, encoder.fused)
        return cast("_EngineSlot", slot).get(encoder, settings, build)

    def _same_electrodes(self, rec: Recording, verbose: Verbose) -> ChannelMapping:
        """The mapping of ``rec``'s channels onto the electrodes seen in :meth:`fit`, in fit's
        order, whatever their names (``EEG Fp1-REF`` = ``Fp1``, ``T3`` = ``T7``) and order;
        channels of other electrodes are left out with a warning, missing ones are an error."""
        rename = _fitted_rename(self)
        rules = self._rules()  # fit's table: keys these data lack ignored, unless told
        mapping = map_channels(  # used: no warnings on channels outside fit's, left out
            rec.ch_names, rename=rename, verbose=verbose, left_out=rec.left_out,
            used=self.mapping_.names, **rules.for_several().keywords(),
        )  # fmt: skip
        return subset_mapping(
            mapping, self.mapping_.names, "X", "the embedder was fitted on", rec.bads, rename,
            fitted_names=self.mapping_.input_names, model="embedder",
        )  # fmt: skip

    def _rules(self) -> ChannelRules:
        """The channel rules of a fitted embedder (``on_unknown_``, ``on_missing_``), whatever
        ``set_params`` changed since; unfitted (or fitted by an earlier eegpt, which kept
        none), ``on_unknown`` and ``on_missing``."""
        fitted = vars(self)
        return ChannelRules(
            fitted.get("on_unknown_", getattr(self, "on_unknown", "drop")),
            fitted.get("on_missing_", getattr(self, "on_missing", None)),
        )

    def _config(self) -> PreprocessingConfig:
        """The preprocessing of a fitted embedder: the one of :meth:`fit` (``preprocessing_``),
        whatever ``set_params(preprocessing=...)`` changed since (it takes effect at the next
        fit, as scikit-learn's parameters do: the window length sizes ``embedding_shape_``
        and ``n_features_out_``); unfitted, ``preprocessing`` (None: the default). An embedder
        fitted and pickled by an earlier eegpt may keep none: it used ``preprocessing``, and
        for None the default of then, which did not average-reference."""
        if "mapping_" in vars(self):  # fitted
            fitted = vars(self).get("preprocessing_")
            if fitted is not None:
                return fitted
            if self.preprocessing is not None:
                return self.preprocessing
            return PreprocessingConfig(average_reference=False)
        return self.preprocessing if self.preprocessing is not None else PreprocessingConfig()

    def _pooling(self) -> str | Callable[[np.ndarray], np.ndarray]:
        """The pooling of a fitted embedder: the one of :meth:`fit` (``pooling_``), which sized
        ``n_features_out_`` and names the features, whatever ``set_params(pooling=...)``
        changed since (it takes effect at the next fit); ``pooling`` for an embedder fitted
        and pickled by an earlier eegpt, which kept none."""
        return vars(self).get("pooling_", self.pooling)

    # ------------------------------------------------------------------ API
    @_warning_once("fit")
    @honours_verbose
    def fit(self, X: Any, y: Any = None) -> EEGPTEmbedder:
        """Load the encoder and record the input layout (channels, epoch length).

        A NumPy array is read and checked :data:`_CHUNK` epochs at a time, as :meth:`embed`
        reads it, so that fitting on it takes no copy of all of it.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | ndarray, shape (n_epochs, C, T) or (n_epochs, C*T)
            Epochs (see Notes of the class).
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        # keep and picks checked as train_probe checks them (None: "eeg"; arrays take no other)
        picks = channels_read(self.keep, self.picks, X, None, chan_proj=False, command_line=False)
        rules = ChannelRules(self.on_unknown, self.on_missing)
        rename = rename_table(self.rename)  # read once: predicting reads no file
        config = self.preprocessing if self.preprocessing is not None else PreprocessingConfig()
        if isinstance(X, np.ndarray) and len(X) > _CHUNK:
            # Only the layout is kept: all of X read at once (float64, then volts) took four
            # times its float32 bytes, where transform embeds it a chunk at a time. Each chunk
            # is checked (and warned of) as transform checks it, then the first read.
            X = _whole_array_checks(X, self.ch_names)
            for start in range(_CHUNK, len(X), _CHUNK):
                chunk = X[start : start + _CHUNK]
                self._recording(
                    chunk, False, rename, picks=picks, config=config, keep=self.keep, rules=rules
                )
            X = X[:_CHUNK]
        rec = self._recording(
            X, self.verbose, rename, picks=picks, config=config, keep=self.keep, rules=rules
        )
        # y is not used, but the pipeline's next step gets it with transform's rows, one per
        # epoch: a y of a list's recordings (scikit-learn's samples) is refused with advice
        refuse_labels_per_recording(X, y, len(rec.data))
        model: EEGPT | EEGPTEncoder = _load_encoder(self)
        self._model_copy_of = None
        if model is self.model:
            # A copy, so that fit leaves the parameters as given and later changes to them do
            # not reach the fitted embedder (class Notes); pickles store the weights once
            # (__getstate__).
            model = copy.deepcopy(self.model)
            self._model_copy_of = self.model
        self._engines = _EngineSlot()  # transform's engine, built at its first call
        mapping = map_channels(
            rec.ch_names, rename=rename, verbose=self.verbose, left_out=rec.left_out,
            keep=self.keep, **rules.for_inputs(X).keywords(),
        )  # fmt: skip
        # prepare() checks the epoch length against the window; only one epoch is needed for that.
        prepare(_first_epoch(rec), mapping, config, refuse_flat=False, verbose=False)
        cfg = encoder_of(model).config
        shape = (cfg.n_patches(config.n_samples), cfg.embed_num, cfg.embed_dim)
        self.model_ = model
        self.rename_ = rename
        self.picks_ = picks
        self.keep_ = self.keep
        self.on_unknown_, self.on_missing_ = rules.on_unknown, rules.on_missing
        self.preprocessing_ = config
        self.pooling_ = self.pooling
        self.mapping_ = mapping
        self.ch_names_in_ = list(rec.ch_names)
        self.n_channels_in_ = rec.n_channels
        self.n_times_in_ = rec.n_times
        self.n_features_in_ = rec.n_channels * rec.n_times
        self.embedding_shape_ = shape
        self.n_features_out_ = int(
            pool_embeddings(np.zeros((1, *shape), np.float32), self.pooling_).shape[1]
        )
        return self

    @_warning_once("predict")
    @honours_verbose
    def embed(self, X: Any) -> np.ndarray:
        """Unpooled summary tokens ``[n_epochs, N, S, D]`` (float32).

        A NumPy array is embedded :data:`_CHUNK` epochs at a time, so the copies its checks and
        preprocessing make (float64, units, channel order, resampling) are of one chunk, not of
        all of ``X``.
        """
        check_is_fitted(self, "model_")
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            total = len(X) if isinstance(X, np.ndarray) else None  # Epochs: once prepared
            bar = tqdm(total=total, unit="epoch", desc="embedding", **progress_options())
        try:
            if isinstance(X, np.ndarray) and len(X) > _CHUNK:
                X = _whole_array_checks(X, self.ch_names)
                chunks = [  # the log lines (mapping, preprocessing) of the first chunk only
                    self._embed(X[i : i + _CHUNK], self.verbose if i == 0 else False, bar)
                    for i in range(0, len(X), _CHUNK)
                ]
                return np.concatenate(chunks)
            return self._embed(X, self.verbose, bar)
        finally:
            if bar is not None:
                bar.close()

    def _embed(self, X: Any, verbose: Verbose, bar: Any = None) -> np.ndarray:
        rec = self._recording(X, verbose, fitted_times=getattr(self, "n_times_in_", None))
        mapping = self.mapping_
        if list(rec.ch_names) != self.ch_names_in_:  # Epochs of another recording: by electrode
            mapping = self._same_electrodes(rec, verbose)
        elif rec.n_channels * rec.n_times != self.n_features_in_ and not _epochs_input(X):
            raise ValueError(
                f"X has {rec.n_channels * rec.n_times} features, but EEGPTEmbedder is expecting "
                f"{self.n_features_in_} features as input ({self.n_channels_in_} channels x "
                f"{self.n_times_in_} samples per epoch)"
            )
        config = self._config()
        # epochs to transform or predict: one all flat warns (prepare's rule), as in a loop
        # that embeds epoch by epoch; the reference was warned of by fit
        windows = prepare(
            rec, mapping, config, refuse_flat=False, warn_reference=False, verbose=verbose
        )
        if bar is not None and bar.total is None:
            bar.total = len(windows.data)
            bar.refresh()
        model = self.model_
        if self.cache:
            out = np.array(
                embed_windows(
                    model,
                    windows.data,
                    windows.mapping.chan_ids,
                    device=self.device,
                    precision=self.precision,
                    batch_size=self.batch_size,
                    cache=self.cache,
                    preprocessing=config,
                )
            )
            if bar is not None:
                bar.update(len(out))
            return out
        return self._engine(encoder_of(model)).encode(
            windows.data, windows.mapping.chan_ids, progress=False if bar is None else bar
        )

    def transform(self, X: Any) -> np.ndarray:
        """Pooled embeddings.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | ndarray, shape (n_epochs, C, T) or (n_epochs, C*T)
            Epochs with the channels and length seen in :meth:`fit`.

        Returns
        -------
        ndarray of float32, shape (n_epochs, n_features_out_)
        """
        return pool_embeddings(self.embed(X), self._pooling()).astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``eegpt_p{patch}_s{token}_d{dim}`` (parts as the pooling keeps them).

        Parameters
        ----------
        input_features : array-like of str | None
            Not used: the names do not depend on the input's. Checked as scikit-learn's
            transformers check it: one name per input feature (``n_features_in_``, channels x
            samples of epochs flattened), else a ValueError (channel names alone were taken
            and ignored).
        """
        check_is_fitted(self, "n_features_out_")
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({self.n_features_in_}: {self.n_channels_in_} channels x {self.n_times_in_} "
                f"samples, epochs flattened), got {len(input_features)}; the output names do "
                "not depend on them: leave input_features out"
            )
        names = feature_names(self._pooling(), self.embedding_shape_, self.n_features_out_)
        return np.asarray(names, dtype=object)


def _labels_1d(y: Any) -> np.ndarray:
    """Labels ``y`` of shape ``(n,)`` or a column ``(n, 1)`` as ``(n,)``, as scikit-learn's
    classifiers take them in ``fit`` and ``score`` (a column with its DataConversionWarning);
    other shapes are refused by :func:`~sklearn.utils.validation.column_or_1d`."""
    return column_or_1d(y, warn=True)


def _check_labels(y: np.ndarray | None, array: bool) -> None:
    """Refuse, in scikit-learn's words (which its estimator checks look for), labels ``y``
    of fewer than two classes (a classifier learns to tell classes apart: there is nothing to
    learn from one), and no ``y`` for an ``array`` X, which has no events to name its epochs
    (``mne.Epochs`` have)."""
    if y is None:
        if array:
            raise ValueError(
                "EEGPTClassifier requires y to be passed, but the target y is None: an array X "
                "carries no labels (only mne.Epochs give theirs, their event names); pass y, "
                "one label per epoch"
            )
        return
    classes = list(dict.fromkeys(y.tolist()))  # any labels: np.unique sorts, mixed types fail
    if len(y) and len(classes) < 2:
        raise ValueError(
            f"EEGPTClassifier needs labels of at least 2 classes, got 1 class ({classes[0]!r}) "
            f"in {count(len(y), 'label')}; give it epochs of each class"
        )


def _none_among_classes_hint(classes: np.ndarray, X: Any) -> str:
    """What :meth:`EEGPTClassifier.score` adds where none of the labels ``y`` it was given is
    among the fitted ``classes`` (each epoch an error, a score of 0 whatever the predictions):
    where those are the event names of the epochs ``X`` (mne.Epochs), that a fit without
    ``y`` learned them, as MOABB's epochs name their events by code (``'1'``, ``'2'``) while
    its ``y`` names the classes (``'left_hand'``)."""
    text = "; none of y's labels is, so the score is 0 whatever the predictions"
    if isinstance(X, mne.BaseEpochs) and set(classes.tolist()) <= set(epochs_labels(X).tolist()):
        return (
            f"{text}: the classes are these epochs' event names, which a fit without y takes "
            "(MOABB's epochs name their events by code, '1', '2', ..., while the y of "
            "paradigm.get_data names the classes): fit with the labels you score with, "
            "clf.fit(epochs, y)"
        )
    return f"{text}: the classifier was fitted on other labels; fit with the labels you score with"


def _kinds(values: Any) -> set[bool]:
    """Whether the labels are text (True), numbers (False), or both, by value (object arrays
    may hold either)."""
    return {isinstance(v, str) for v in np.asarray(values, dtype=object).ravel().tolist()}


def _same_weights(a: Any, b: Any) -> bool:
    """Whether two modules hold equal tensors under the same names (a fitted copy that still
    equals the model it was made from need not be pickled twice; one changed since must)."""
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        sa[k].shape == sb[k].shape and torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa
    )


def _portable_probe(probe: EEGPTProbe, *, drop_encoder: bool) -> EEGPTProbe:
    """A copy of ``probe`` with its model on the CPU, without its encoder if ``drop_encoder``
    (``model.target_encoder`` is then None; the live probe is not changed)."""
    # deepcopy's memo stands the encoder in for None: the copy has no encoder, the probe keeps it
    memo = {id(probe.model.target_encoder): None} if drop_encoder else {}
    light = copy.copy(probe)
    light.model = copy.deepcopy(probe.model, memo).to("cpu")
    return light


class EEGPTClassifier(_ConfigParams, ClassifierMixin, BaseEstimator):
    """The EEGPT paper's linear probe (frozen encoder) as a scikit-learn classifier.

    :meth:`fit` trains a probe with :func:`eegpt.probe.train_probe` (the paper's recipe, or
    ``config``); :meth:`predict`, :meth:`predict_proba`, :meth:`decision_function` and
    :meth:`score` (accuracy) use it. Cross-validation, grid search over ``config`` and
    ``clone`` work as for any classifier; the trained probe is ``probe_``
    (:class:`~eegpt.probe.EEGPTProbe`: ``save``, ``evaluate``, ``history``).

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder | None
        A loaded model. Either ``model`` or ``weights`` is needed; ``model`` wins. :meth:`fit`
        trains on a copy, so ``model`` stays as given (on its device).
    weights : str | Path | None
        Checkpoint path or pretrained name, loaded in :meth:`fit` by :func:`eegpt.load_model`.
    ch_names, sfreq, units
        Channel names, sampling rate (Hz) and amplitude unit of array input (as for
        :class:`EEGPTEmbedder`); refused for ``mne.Epochs`` (a
        :class:`~eegpt.errors.RecordingError` at :meth:`fit` and :meth:`predict`, as
        :func:`~eegpt.probe.train_probe` raises).
    preprocessing : PreprocessingConfig | None
        How epochs become model windows (every epoch is one window). Default: 256 Hz, 4 s.
    rename : dict | str | path-like | None
        Channel-name overrides, a cap's or a dataset's name or a table file (as for
        :class:`EEGPTEmbedder`).
    picks : str | sequence of str | None
        The channel types (or names) read from ``mne.Epochs`` and files, as
        :func:`~eegpt.probe.train_probe` reads them (``--picks`` of ``eegpt probe train``);
        None: EEG alone. ``["eeg", "misc"]`` also reads electrodes a file types ``misc``.
        Recorded in the probe (``probe_.picks``), whose predictions read them so; refused for
        arrays, whose channels are their rows.
    keep : str | sequence of str | None
        Train on these vocabulary channels only (after ``rename``), as
        :func:`~eegpt.probe.train_probe` takes it (``"10-20"``, names, ``-NAME`` removing one;
        not with ``config.chan_proj``); recorded in the probe (``probe_.keep``), whose
        predictions keep them.
    on_unknown : ``"drop"`` | ``"raise"``
        Channel names outside the vocabulary, as :func:`~eegpt.probe.train_probe` takes it:
        dropped with one warning (the default) or a ``ValueError``; checked at :meth:`fit`
        and recorded in the probe (``probe_.on_unknown``), whose predictions apply it.
        ``"raise"`` not with ``config.chan_proj`` and one input (its every channel
        projected): refused.
    on_missing : ``"raise"`` | ``"ignore"`` | None
        ``rename`` keys that name no channel, as :func:`~eegpt.probe.train_probe` takes it:
        None (the default) raises for one input and ignores them for a list; recorded in the
        probe (``probe_.on_missing``), whose predictions apply it.
    config : ProbeConfig | None
        Architecture and recipe (default: the paper's); search it with
        ``GridSearchCV(clf, {"config": [ProbeConfig(max_lr=1e-4), ProbeConfig(max_lr=4e-4)]})``,
        or one field of it with ``{"config__max_lr": [1e-4, 4e-4]}`` (likewise
        ``preprocessing__<field>`` on both estimators).
    validation : float | None
        Fraction of the training epochs held out per class and scored after every training
        epoch (``probe_.history``; needed for ``ProbeConfig(patience=...)``). The epochs are
        drawn at random, so epochs of one subject fall on both sides unless ``fit`` is given
        ``groups`` (then whole groups are held out); ``fit`` warns where the epochs' metadata
        names several subjects (or recordings: ``concatenate_epochs``' ``recording`` column)
        and no ``groups`` came. In scikit-learn cross-validation the
        splitter's ``groups`` reach ``fit`` only with metadata routing:
        ``sklearn.set_config(enable_metadata_routing=True)``,
        ``clf.set_fit_request(groups=True)`` and ``cross_validate(clf, X, y, cv=cv,
        params={"groups": groups})``; without it, ``groups=`` of ``cross_validate`` choose the
        folds only.
    batch_size : int | None
        Epochs per encoder pass in prediction; ``None``: the engine's default.
    device : str | None
        ``None`` picks CUDA when available.
    precision : {"float32", "bfloat16", "float16"}
        Encoder precision.
    cache : bool | str | EmbeddingCache
        Embedding cache of the frozen encoder (:func:`eegpt.probe.embed_windows`); on by
        default, so that fitting again on the same epochs (a grid search's next candidate on
        the same fold) skips the encoder. :meth:`fit` keys it by the fingerprint of the
        encoder weights it hashes for the probe's record (:func:`~eegpt.probe.train_probe`),
        so weights edited through ``p.data`` are never trained on from the old weights'
        entries; prediction hashes nothing: call ``model.clear_fast_cache()`` after such an
        edit.
    progress : bool
        Progress bars over the encoder pass and the training epochs.
    verbose : bool | str | int | None
        Log channel mapping, preprocessing and a training summary; ``"error"`` also silences
        eegpt's warnings.

    Attributes
    ----------
    probe_ : EEGPTProbe
        The trained probe.
    rename_ : dict | None
        The table ``rename`` stands for, read at :meth:`fit` (a file's or a cap's entries;
        None for none): what prediction uses, so a fitted classifier no longer needs the file.
    classes_ : ndarray, shape (n_classes,)
        Class labels, sorted; column ``k`` of :meth:`predict_proba` is ``classes_[k]``.
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch seen in :meth:`fit` (for ``mne.Epochs``, the channels
        ``picks`` reads, EEG by default: those used or named in warnings, as for
        :class:`EEGPTEmbedder`).
    n_features_in_ : int
        ``n_channels_in_ * n_times_in_``: the columns of 2-D input (epochs flattened in C
        order); set for ``mne.Epochs`` too, as the columns their flattened data would have.
    """

    def __init__(
        self,
        model: EEGPT | EEGPTEncoder | None = None,
        *,
        weights: str | None = None,
        ch_names: Sequence[str] | None = None,
        sfreq: float | None = None,
        units: Units = "V",
        preprocessing: PreprocessingConfig | None = None,
        rename: Rename | None = None,
        picks: str | Sequence[str] | None = None,
        keep: str | Sequence[str] | None = None,
        on_unknown: Literal["drop", "raise"] = "drop",
        on_missing: Literal["raise", "ignore"] | None = None,
        config: ProbeConfig | None = None,
        validation: float | None = None,
        batch_size: int | None = None,
        device: str | None = None,
        precision: Precision = "float32",
        cache: Any = True,
        progress: bool = False,
        verbose: Verbose = None,
    ) -> None:
        self.model = model
        self.weights = weights
        self.ch_names = ch_names
        self.sfreq = sfreq
        self.units = units
        self.preprocessing = preprocessing
        self.rename = rename
        self.picks = picks
        self.keep = keep
        self.on_unknown = on_unknown
        self.on_missing = on_missing
        self.config = config
        self.validation = validation
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.cache = cache
        self.progress = progress
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        # a probe of a frozen EEG encoder: it learns EEG windows, not the random blobs on which
        # scikit-learn's checks expect an accuracy above 0.83
        tags.classifier_tags.poor_score = True
        return tags

    def _inputs(self, X: Any, fitted_times: int | None = None) -> tuple[Any, dict[str, Any]]:
        """``X`` as :func:`~eegpt.probe.train_probe` takes it, and the array keywords;
        ``fitted_times``: the samples per epoch of fit (:func:`_epochs_array`)."""
        config = self.preprocessing if self.preprocessing is not None else PreprocessingConfig()
        if _epochs_input(X):
            _refuse_continuous(X, type(self).__name__, config.window_seconds)
            _refuse_array_params(self, X)
            return X, {}
        array = _epochs_array(
            X, self.ch_names, self.sfreq, type(self).__name__, units_name(self.units),
            fitted_times, config.window_seconds,
        )  # fmt: skip
        return array, {"ch_names": self.ch_names, "sfreq": self.sfreq, "units": self.units}

    @_warning_once("fit")
    @honours_verbose
    def fit(self, X: Any, y: Any = None, groups: Any = None) -> EEGPTClassifier:
        """Train the probe.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | path | ndarray, (n_epochs, C, T) or (n_epochs, C*T)
            Labelled epochs, each one model window (see :class:`EEGPTEmbedder`'s Notes: a
            torch tensor is read as its values, a continuous recording refused).
        y : array-like, shape (n_epochs,) or (n_epochs, 1) | None
            Class labels (a column with scikit-learn's ``DataConversionWarning``); ``None``
            takes the event names of ``mne.Epochs`` (for arrays, a ``ValueError``).
        groups : array-like, shape (n_epochs,) | None
            With a ``validation`` fraction: one value per epoch (e.g. subject ids), so that
            the fraction holds out whole groups (see :func:`eegpt.probe.train_probe`).

        Returns
        -------
        self

        Warns
        -----
        EEGPTWarning
            When a class has fewer than :data:`~eegpt.training.FEW_EPOCHS` (5) training epochs, or
            (unless ``config.class_weight="balanced"``) the largest has more than
            :data:`~eegpt.training.IMBALANCE_RATIO` (3) times the epochs of the smallest.
        """
        _check_common_params(self)
        if self.config is not None and not isinstance(self.config, ProbeConfig):
            raise TypeError(
                f"config must be a ProbeConfig or None, got {type(self.config).__name__}"
            )
        if y is not None:  # scikit-learn's checks: a column vector, not regression targets
            y = _labels_1d(y)
            check_classification_targets(y)
        data, array_kwargs = self._inputs(X)
        chan_proj = self.config is not None and self.config.chan_proj
        # keep and picks checked as train_probe checks them (None: "eeg"; arrays take no other)
        picks = channels_read(
            self.keep, self.picks, data, None, chan_proj=chan_proj, command_line=False,
            on_unknown=self.on_unknown,
        )  # fmt: skip
        rename = rename_table(self.rename) or None  # read once: predicting reads no file
        model = _load_encoder(self)
        _check_labels(y, bool(array_kwargs))  # after the parameters' checks, as before
        # A copy, so that fit leaves the parameters as given (training moves the encoder to
        # the device); pickles store the weights once (__getstate__).
        self._encoder_copied = model is self.model
        if self._encoder_copied:
            model = copy.deepcopy(model)
        self.probe_ = train_probe(
            model,
            data,
            y,
            rename=rename,
            picks=picks,
            keep=self.keep,
            on_unknown=self.on_unknown,
            on_missing=self.on_missing,
            preprocessing=self.preprocessing,
            config=self.config,
            validation=self.validation,
            groups=groups,
            device=self.device,
            precision=self.precision,
            cache=self.cache,
            progress=self.progress,
            verbose=self.verbose,
            **array_kwargs,
        )
        self.rename_ = rename
        self.classes_ = self.probe_.classes_
        # the layout of X as given (epochs: their EEG channels and samples, as the embedder's)
        shape = data.shape[1:] if array_kwargs else self.probe_.training["input_shape"]
        self.n_channels_in_, self.n_times_in_ = (int(n) for n in shape)
        self.n_features_in_ = self.n_channels_in_ * self.n_times_in_
        self._fitted_on_array = bool(array_kwargs)
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the trained probe on the CPU (a fitted classifier loads on machines without
        a GPU) and, when its encoder is a copy of ``model`` (frozen, so unchanged), without
        that encoder: the weights are stored once."""
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__ itself
        probe = state.get("probe_")
        if probe is not None:
            model = state.get("model")
            drop = (
                bool(state.get("_encoder_copied"))
                and model is not None
                and _same_weights(probe.model.target_encoder, encoder_of(model))
            )
            state["probe_"] = _portable_probe(probe, drop_encoder=drop)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        _fill_added_params(self)
        probe = getattr(self, "probe_", None)
        shape = None if probe is None else probe.training.get("input_shape")
        if "n_channels_in_" not in state and shape is not None:  # fitted by an earlier eegpt
            self.n_channels_in_, self.n_times_in_ = (int(n) for n in shape)
        if probe is not None and probe.model.target_encoder is None:  # dropped: model is set
            encoder = copy.deepcopy(encoder_of(cast("EEGPT | EEGPTEncoder", self.model))).to("cpu")
            probe.model._modules["target_encoder"] = encoder

    @_warning_once("predict")
    def _logits(self, X: Any) -> np.ndarray:
        """Logits ``[n_epochs, n_classes]``; a NumPy array :data:`_CHUNK` epochs at a time, as
        the embedder's transform reads one (all of it at once took about eight times its
        float32 bytes: float64, volts, the model's windows)."""
        check_is_fitted(self, "probe_")
        if isinstance(X, np.ndarray) and len(X) > _CHUNK:
            X = _whole_array_checks(X, self.ch_names)
            return np.concatenate([  # the log lines of the first chunk only
                self._chunk_logits(X[i : i + _CHUNK], self.verbose if i == 0 else False)
                for i in range(0, len(X), _CHUNK)
            ])  # fmt: skip
        return self._chunk_logits(X, self.verbose)

    def _chunk_logits(self, X: Any, verbose: Verbose) -> np.ndarray:
        data, array_kwargs = self._inputs(X, getattr(self, "n_times_in_", None))
        if array_kwargs and getattr(self, "_fitted_on_array", "n_features_in_" in vars(self)):
            n = int(np.prod(data.shape[1:]))
            if n != self.n_features_in_:
                raise ValueError(
                    f"X has {n} features, but EEGPTClassifier is expecting "
                    f"{self.n_features_in_} features as input ({self.n_channels_in_} channels x "
                    f"{self.n_times_in_} samples per epoch; X has {data.shape[1]} x "
                    f"{data.shape[2]})"
                )
        return self.probe_.decision_function(
            data,
            rename=_prediction_rename(self),
            device=self.device,
            precision=self.precision,
            batch_size=self.batch_size,
            cache=self.cache,
            verbose=verbose,
            **array_kwargs,
        )

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits ``[n_epochs, n_classes]``; with two classes, scikit-learn's ``[n_epochs]``
        score of ``classes_[1]`` (the log-odds, ``logit_1 - logit_0``)."""
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``[n_epochs, n_classes]`` (softmax of the logits)."""
        return row_softmax(self._logits(X))

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Accuracy on ``X`` against ``y`` (``(n_epochs,)`` or a column ``(n_epochs, 1)``,
        as :meth:`fit` takes it; ``None``: the event names of ``mne.Epochs``)."""
        check_is_fitted(self, "probe_")
        given = y is not None
        y = as_classes(_labels_1d(y) if given else labels_of(X, None, -1), self.classes_)
        unknown = sorted(set(y.tolist()) - set(self.classes_.tolist()), key=str)
        hint = unknown_labels_hint(unknown, self.classes_, X) if unknown else ""
        if unknown and not given:
            raise ValueError(
                f"the epochs' event names {unknown} are not among the classes "
                f"{self.classes_.tolist()}; pass y" + hint
            )
        if unknown and _kinds(y) != _kinds(self.classes_):  # scikit-learn cannot compare them
            raise ValueError(
                f"score: labels {unknown[:5]} are not among the classes "
                f"{self.classes_.tolist()}: text against numbers"
                + (hint or "; pass y in the classes' type")
            )
        if given and unknown and not hint and len(unknown) == len(set(y.tolist())):
            hint = _none_among_classes_hint(self.classes_, X)
        if hint:  # scikit-learn scores them as errors; name the likely mix-up
            _warn(
                f"score: labels {unknown[:5]} are not among the classes "
                f"{self.classes_.tolist()}, so they count as errors" + hint
            )
        return super().score(X, y, sample_weight=sample_weight)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels ``[n_epochs]`` (from ``classes_``)."""
        logits = self._logits(X)  # checks that the classifier is fitted first
        return self.classes_[logits.argmax(axis=1)]
