"""A scikit-learn transformer that turns EEG epochs into EEGPT embeddings.

:class:`EEGPTEmbedder` follows scikit-learn's estimator rules (constructor arguments stored as
given, fitted state in attributes ending with ``_``, :func:`~sklearn.base.clone`-able), so it
goes into a :class:`~sklearn.pipeline.Pipeline` before any classifier and works with
:func:`~sklearn.model_selection.cross_val_score` and
:class:`~sklearn.model_selection.GridSearchCV`::

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    clf = make_pipeline(EEGPTEmbedder(weights="eegpt-large", pooling="mean_patches"),
                        LogisticRegression(max_iter=1000))
    cross_val_score(clf, epochs, epochs_labels(epochs), cv=5)

The encoder is frozen: ``fit`` only loads it and records the input layout (the same for every
fold), ``transform`` embeds. The module needs scikit-learn (``pip install scikit-learn``).
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import mne
import numpy as np

from eegpt.errors import MissingDependencyError

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils.validation import check_array, check_is_fitted
except ImportError as err:  # pragma: no cover - depends on the environment
    raise MissingDependencyError(
        "eegpt.sklearn needs scikit-learn: pip install 'eegpt[sklearn]' (or scikit-learn)"
    ) from err

from eegpt._logging import honours_verbose
from eegpt.channels import ChannelMapping, map_channels
from eegpt.engine import InferenceEngine
from eegpt.io import UNITS, Recording
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import POOLINGS, pool_embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe import (
    _as_epochs_recording,
    _encoder_of,
    _is_epochs_list,
    _on_missing,
    _subset_mapping,
    embed_windows,
)

__all__ = ["POOLINGS", "EEGPTEmbedder", "pool_embeddings"]


_FEATURE_PATTERNS = {
    "flatten": lambda n, s, d: [
        f"p{i}_s{j}_d{k}" for i in range(n) for j in range(s) for k in range(d)
    ],
    "mean": lambda n, s, d: [f"d{k}" for k in range(d)],
    "mean_patches": lambda n, s, d: [f"s{j}_d{k}" for j in range(s) for k in range(d)],
    "mean_tokens": lambda n, s, d: [f"p{i}_d{k}" for i in range(n) for k in range(d)],
}


class EEGPTEmbedder(TransformerMixin, BaseEstimator):
    """EEGPT embeddings of EEG epochs as a scikit-learn transformer (frozen encoder).

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder | None
        A loaded model. Either ``model`` or ``weights`` is needed; ``model`` wins.
    weights : str | Path | None
        Checkpoint path or pretrained name, loaded in :meth:`fit` by :func:`eegpt.load_model`.
    ch_names : sequence of str | None
        Channel names of array input (one per channel, axis 1). Ignored for ``mne.Epochs``,
        which carry their own.
    sfreq : float | None
        Sampling rate of array input in Hz. Ignored for ``mne.Epochs``.
    units : {"V", "mV", "uV", "µV"}
        Amplitude unit of array input. Ignored for ``mne.Epochs`` (always volts).
    pooling : str | callable
        How the summary tokens ``[N, S, D]`` of an epoch become one feature vector; see
        :data:`POOLINGS` (default ``"flatten"``).
    preprocessing : PreprocessingConfig | None
        Resampling, reference, scale and window length; every epoch is one window, so epochs
        must last ``window_seconds`` (shorter ones with ``tail="pad"``). Default: 256 Hz, 4 s.
    rename : dict | None
        Channel-name overrides for :func:`~eegpt.channels.map_channels`.
    batch_size : int | None
        Epochs per forward pass; ``None``: 64 on a GPU, a few on a CPU (see
        :func:`eegpt.engine.default_batch_size`).
    device : str | None
        ``None`` picks CUDA when available.
    precision : {"float32", "bfloat16", "float16"}
        Inference precision (see :class:`~eegpt.engine.InferenceEngine`).
    cache : bool | str | EmbeddingCache
        Reuse embeddings of identical inputs (see :func:`eegpt.probe.embed_windows`); off by
        default.
    verbose : bool | str | int | None
        Log channel mapping and preprocessing: True, ``"info"`` or a logging level up to 20;
        None, False and 0 (as in scikit-learn) are quiet.

    Attributes
    ----------
    model_ : EEGPT | EEGPTEncoder
        The encoder used.
    mapping_ : ChannelMapping
        Input channels -> EEGPT vocabulary.
    ch_names_in_ : list of str
        Channel names seen in :meth:`fit`.
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch seen in :meth:`fit`.
    n_features_in_ : int
        ``n_channels_in_ * n_times_in_`` (2-D input is read as epochs flattened in C order).
    embedding_shape_ : tuple of int
        ``(N, S, D)`` of one epoch.
    n_features_out_ : int
        Columns of :meth:`transform`'s output.

    Notes
    -----
    ``X`` is an ``mne.Epochs``, a list of them (what scikit-learn's splitters make of one), an
    array ``[n_epochs, n_channels, n_times]``, or the same flattened to
    ``[n_epochs, n_channels * n_times]`` (C order, channels outer), which is what tools that
    only handle 2-D data pass. Outputs are float32.
    """

    def __init__(
        self,
        model: EEGPT | EEGPTEncoder | None = None,
        *,
        weights: str | None = None,
        ch_names: Sequence[str] | None = None,
        sfreq: float | None = None,
        units: str = "V",
        pooling: str | Callable[[np.ndarray], np.ndarray] = "flatten",
        preprocessing: PreprocessingConfig | None = None,
        rename: dict[str, str | None] | None = None,
        batch_size: int | None = None,
        device: str | None = None,
        precision: str = "float32",
        cache: Any = False,
        verbose: bool | str | int | None = None,
    ) -> None:
        self.model = model
        self.weights = weights
        self.ch_names = ch_names
        self.sfreq = sfreq
        self.units = units
        self.pooling = pooling
        self.preprocessing = preprocessing
        self.rename = rename
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.cache = cache
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
        if self.units not in UNITS:
            raise ValueError(f"units must be one of {list(UNITS)}, got {self.units!r}")
        if self.batch_size is not None and (
            not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1
        ):
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if self.preprocessing is not None and not isinstance(
            self.preprocessing, PreprocessingConfig
        ):
            raise TypeError(
                "preprocessing must be a PreprocessingConfig or None, got "
                f"{type(self.preprocessing).__name__}"
            )

    def _recording(self, X: Any):
        if self._epochs_input(X):
            return _as_epochs_recording(
                X, ch_names=None, sfreq=None, units="V", verbose=self.verbose,
                rename=self.rename, preprocessing=self._config(),
            )  # fmt: skip
        if self.ch_names is None or self.sfreq is None:
            raise ValueError(
                "array input needs the channel names and sampling rate: "
                "EEGPTEmbedder(ch_names=[...], sfreq=..., units='uV') (or pass mne.Epochs)"
            )
        # scikit-learn's own checks: dense, numeric, finite, not empty, at least 2-D.
        array = check_array(X, dtype=np.float64, allow_nd=True, ensure_all_finite=True)
        n_ch = len(self.ch_names)
        if array.ndim == 2:
            if array.shape[1] % n_ch:
                raise ValueError(
                    f"X has {array.shape[1]} features, which is not a multiple of the "
                    f"{n_ch} channels in ch_names; 2-D input must be epochs flattened to "
                    "[n_epochs, n_channels * n_times]"
                )
            array = array.reshape(len(array), n_ch, -1)
        elif array.ndim != 3:
            raise ValueError(
                f"Expected 2D or 3D array: epochs [n_epochs, n_channels, n_times] (or flattened "
                f"[n_epochs, n_channels * n_times]), got shape {array.shape}"
            )
        return _as_epochs_recording(
            array, ch_names=self.ch_names, sfreq=self.sfreq, units=self.units, verbose=self.verbose
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickle ``model_`` as a note when it is a copy of ``model`` made by :meth:`fit`, so a
        fitted embedder (or a pipeline, or what ``n_jobs`` sends to workers) stores the
        weights once, not twice."""
        state = super().__getstate__()
        if "model_" in state and state.get("_model_copy_of") is not None:
            if state["_model_copy_of"] is state["model"]:
                state = {k: v for k, v in state.items() if k != "model_"}
                state["_model_copy_of"] = "model"
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if state.get("_model_copy_of") == "model":
            self.model_ = copy.deepcopy(self.model)
            self._model_copy_of = self.model

    @staticmethod
    def _epochs_input(X: Any) -> bool:
        return isinstance(X, mne.BaseEpochs) or _is_epochs_list(X)

    def _same_electrodes(self, rec: Recording) -> ChannelMapping:
        """The mapping of ``rec``'s channels onto the electrodes seen in :meth:`fit`, in fit's
        order, whatever their names (``EEG Fp1-REF`` = ``Fp1``, ``T3`` = ``T7``) and order;
        channels of other electrodes are left out with a warning, missing ones are an error."""
        mapping = map_channels(
            rec.ch_names, rename=self.rename, on_missing="ignore", verbose=self.verbose
        )
        return _subset_mapping(mapping, self.mapping_.names, "X", "the embedder was fitted on")

    def _config(self) -> PreprocessingConfig:
        return self.preprocessing if self.preprocessing is not None else PreprocessingConfig()

    # ------------------------------------------------------------------ API
    @honours_verbose
    def fit(self, X: Any, y: Any = None) -> EEGPTEmbedder:
        """Load the encoder and record the input layout (channels, epoch length).

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
        rec = self._recording(X)
        if self.model is not None:
            _encoder_of(self.model)  # type check with a clear message
            # A copy: inference caches derived tensors on the module, and fit must leave the
            # parameters as given (scikit-learn's rule; clone() copies them anyway).
            model = copy.deepcopy(self.model)
            self._model_copy_of = self.model  # pickles store the weights once (__getstate__)
        elif self.weights is not None:
            from eegpt.checkpoints import load_model

            model = load_model(self.weights, device="cpu", verbose=self.verbose)
            self._model_copy_of = None
        else:
            raise ValueError(
                "EEGPTEmbedder needs an encoder: model= (a loaded EEGPT) or weights= (a checkpoint "
                "path or a pretrained name such as 'eegpt-large')"
            )
        config = self._config()
        mapping = map_channels(
            rec.ch_names, rename=self.rename, on_missing=_on_missing(X), verbose=self.verbose
        )
        # prepare() checks the epoch length against the window; only one epoch is needed for that.
        first = type(rec)(rec.data[:1], rec.ch_names, rec.sfreq, source=rec.source)
        prepare(first, mapping, config, verbose=False)
        cfg = _encoder_of(model).config
        shape = (cfg.n_patches(config.n_samples), cfg.embed_num, cfg.embed_dim)
        self.model_ = model
        self.mapping_ = mapping
        self.ch_names_in_ = list(rec.ch_names)
        self.n_channels_in_ = rec.n_channels
        self.n_times_in_ = rec.n_times
        self.n_features_in_ = rec.n_channels * rec.n_times
        self.embedding_shape_ = shape
        self.n_features_out_ = int(
            pool_embeddings(np.zeros((1, *shape), np.float32), self.pooling).shape[1]
        )
        return self

    @honours_verbose
    def embed(self, X: Any) -> np.ndarray:
        """Unpooled summary tokens ``[n_epochs, N, S, D]`` (float32)."""
        check_is_fitted(self, "model_")
        rec = self._recording(X)
        mapping = self.mapping_
        if list(rec.ch_names) != self.ch_names_in_:  # Epochs of another recording: by electrode
            mapping = self._same_electrodes(rec)
        elif rec.n_channels * rec.n_times != self.n_features_in_ and not self._epochs_input(X):
            raise ValueError(
                f"X has {rec.n_channels * rec.n_times} features, but EEGPTEmbedder is expecting "
                f"{self.n_features_in_} features as input ({self.n_channels_in_} channels x "
                f"{self.n_times_in_} samples per epoch)"
            )
        config = self._config()
        windows = prepare(rec, mapping, config, verbose=self.verbose)
        if self.cache:
            return np.array(
                embed_windows(
                    self.model_,
                    windows.data,
                    windows.mapping.chan_ids,
                    device=self.device,
                    precision=self.precision,
                    batch_size=self.batch_size,
                    cache=self.cache,
                    preprocessing=config,
                )
            )
        engine = InferenceEngine(
            _encoder_of(self.model_),
            device=self.device,
            precision=self.precision,
            batch_size=self.batch_size,
        )
        return engine.encode(windows.data, windows.mapping.chan_ids)

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
        return pool_embeddings(self.embed(X), self.pooling).astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``eegpt_p{patch}_s{token}_d{dim}`` (parts as the pooling keeps them)."""
        check_is_fitted(self, "n_features_out_")
        if callable(self.pooling):
            names = [str(i) for i in range(self.n_features_out_)]
        else:
            names = _FEATURE_PATTERNS[self.pooling](*self.embedding_shape_)
        return np.asarray([f"eegpt_{name}" for name in names], dtype=object)
