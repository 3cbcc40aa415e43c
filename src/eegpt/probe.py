"""Linear probing of a frozen EEGPT encoder, as in the paper's downstream experiments.

The recipe is the one of the original linear-probe scripts (Wang et al., NeurIPS 2024): the
pretrained encoder stays frozen in eval mode; a :class:`~eegpt.heads.LinearProbe` head (dropout
0.5, ``LinearWithConstraint(S*D, 16, max_norm=1)`` per patch, then
``LinearWithConstraint(16*N, n_classes, max_norm=0.25)``) is trained with cross-entropy, AdamW
(``weight_decay=0.01``) and a one-cycle learning-rate schedule (``max_lr=4e-4``,
``pct_start=0.2``, stepped every batch of 64) for 100 epochs. Optionally a learned 1x1 channel
projection (``Conv1dWithConstraint(C_in, 19, 1, max_norm=1)``) maps the recording's channels onto
the 19-channel 10-20 montage :data:`~eegpt.channels.PROBE_19_CHANNELS` before the encoder, as
the scripts do for BCI Competition IV-2a.

The head and its training (optimiser, schedule) follow those scripts; the inputs do not: they
are eegpt's preprocessing (:class:`~eegpt.preprocessing.PreprocessingConfig`: millivolts,
average reference, polyphase resampling), not each dataset's filters, normalisation and
nearest-neighbour stretch in the scripts (README, "Reproducing the paper's downstream
preprocessing").

Two training paths compute that recipe:

* without a channel projection the encoder's input never changes, so its summary tokens are
  computed once (and cached, see :class:`~eegpt.embedding_cache.EmbeddingCache`) and only the
  head is trained on them;
* with a channel projection every step runs the frozen encoder forward and backward (the
  projection before it is trained).

:func:`train_probe` returns an :class:`EEGPTProbe`, which predicts, evaluates (balanced accuracy,
Cohen's kappa, weighted F1, AUROC; see :func:`~eegpt.probe_metrics.probe_metrics`) and saves
itself to a folder with ``probe.safetensors`` + ``probe.json``. A probe stores a *reference* to
its encoder (checkpoint path, file SHA-256 and a SHA-256 of the encoder weights), not the
encoder: :func:`load_probe` loads the encoder again and refuses one whose weights differ.

This module holds the probe itself (:class:`ProbeConfig`, :class:`EEGPTProbe`,
:func:`train_probe`, :func:`load_probe`, :func:`scoring_epochs`); the steps around it live in
modules of their own, whose names stay importable from here:

* :mod:`eegpt.probe_inputs`: epochs in (files, arrays, lists merged by electrode) and their
  channels matched to the probe's;
* :mod:`eegpt.probe_labels`: class labels, checked and matched to the probe's classes;
* :mod:`eegpt.training_data`: training windows and labels, the validation split, and what a
  probe records of its training data;
* :mod:`eegpt.embedding_cache`: the frozen encoder's embeddings, cached;
* :mod:`eegpt.probe_metrics`: the paper's metrics;
* :mod:`eegpt.probe_folder`: a saved probe's files, and what ``eegpt info`` says of them;
* :mod:`eegpt.synthetic`: a synthetic labelled task for examples and tests.

Shapes: n = epochs (trials), C = channels, T = samples, N = time patches, S = summary tokens,
D = embedding width.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import mne
import numpy as np
import numpy.typing as npt
import torch
from safetensors.torch import load_file as _load_safetensors
from safetensors.torch import save as _dump_safetensors

from eegpt import __version__
from eegpt._logging import (
    Verbose,
    baseline_text,
    command_record,
    each_warning_once,
    few,
    honours_verbose,
)
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._methods import function_method, keywords_of
from eegpt.api import software_versions
from eegpt.array_inputs import Units
from eegpt.channels import (
    CAPS,
    CHANNEL_INDEX,
    PROBE_19_CHANNELS,
    kept_channels,
    map_channels,
    montage_spelling,
    normalize_channel_name,
    rename_table,
)
from eegpt.checkpoint_config import assumed_marks
from eegpt.config import EEGPTConfig, precision_name, strict_from_dict
from eegpt.embedding_cache import EmbeddingCache as EmbeddingCache
from eegpt.embedding_cache import default_cache as default_cache
from eegpt.embedding_cache import embed_windows as embed_windows
from eegpt.engine import (
    GPU_BATCH_SIZE,
    InferenceEngine,
    Precision,
    check_batch_size,
    default_batch_size,
    resolve_device,
)
from eegpt.epochs_files import may_hold_epochs
from eegpt.errors import EncoderMismatchError, MissingFileError, RecordingError
from eegpt.fingerprints import encoder_fingerprint, encoder_of, mark_loaded_weights
from eegpt.heads import LinearProbe
from eegpt.mne_inputs import epochs_labels
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import EPOCH_ONSETS_KEY, atomic_write
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe_folder import PROBE_FORMAT as PROBE_FORMAT
from eegpt.probe_folder import PROBE_FORMAT_VERSION as PROBE_FORMAT_VERSION
from eegpt.probe_folder import PROBE_JSON as PROBE_JSON
from eegpt.probe_folder import PROBE_WEIGHTS as PROBE_WEIGHTS
from eegpt.probe_folder import _read_probe_json
from eegpt.probe_folder import describe_probe as describe_probe
from eegpt.probe_inputs import _needs_epochs, _projection_windows
from eegpt.probe_inputs import as_epochs_recording as as_epochs_recording
from eegpt.probe_inputs import is_epochs_list as is_epochs_list
from eegpt.probe_inputs import merge_epochs as merge_epochs
from eegpt.probe_inputs import merged_baseline as merged_baseline
from eegpt.probe_inputs import refuse_embeddings as refuse_embeddings
from eegpt.probe_inputs import rename_on_missing as rename_on_missing
from eegpt.probe_inputs import subset_mapping as subset_mapping
from eegpt.probe_labels import _jsonable
from eegpt.probe_labels import as_classes as as_classes
from eegpt.probe_labels import check_label_types as check_label_types
from eegpt.probe_labels import event_names_hint as event_names_hint
from eegpt.probe_labels import labels_of as labels_of
from eegpt.probe_labels import unknown_labels_hint as unknown_labels_hint
from eegpt.probe_metrics import checked_metrics as checked_metrics
from eegpt.probe_metrics import evaluation_warning as evaluation_warning
from eegpt.probe_metrics import format_metrics as format_metrics
from eegpt.probe_metrics import probe_metrics as probe_metrics
from eegpt.probe_metrics import sklearn_metrics as sklearn_metrics
from eegpt.probe_provenance import (
    Overlap,
    class_counts,
    data_record,
    files_held,
    files_record,
    known_files,
    overlap_text,
    subject_overlap_text,
    training_overlap,
)
from eegpt.recording import Recording, detrend_text
from eegpt.rename_tables import Rename
from eegpt.resampling import resampled_length
from eegpt.synthetic import SYNTHETIC_CHANNELS as SYNTHETIC_CHANNELS
from eegpt.synthetic import synthetic_erp_epochs as synthetic_erp_epochs
from eegpt.synthetic import synthetic_erp_raw as synthetic_erp_raw
from eegpt.training import (
    balanced_class_weights,
    check_precision,
    class_balance_warning,
    fit_model,
    predict_logits,
    training_mode,
    warn_if_emulated_bf16,
)
from eegpt.training_data import AMPLITUDE_RATIO as AMPLITUDE_RATIO
from eegpt.training_data import _baseline_record
from eegpt.training_data import add_training_warnings as add_training_warnings
from eegpt.training_data import check_training_data as check_training_data
from eegpt.training_data import recording_training_warnings as recording_training_warnings
from eegpt.training_data import split_training_data as split_training_data
from eegpt.training_data import trained_on_epochs as trained_on_epochs
from eegpt.training_data import typical_amplitude as typical_amplitude
from eegpt.windowing import crop_call, crop_epochs, crop_left_out_for_arrays, probe_crop

if TYPE_CHECKING:
    import eegpt.viz
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings

__all__ = [
    "EEGPTProbe",
    "EmbeddingCache",
    "EncoderMismatchError",
    "ProbeConfig",
    "default_cache",
    "embed_windows",
    "encoder_fingerprint",
    "epochs_labels",
    "format_metrics",
    "load_probe",
    "merge_epochs",
    "probe_metrics",
    "scoring_epochs",
    "synthetic_erp_epochs",
    "synthetic_erp_raw",
    "train_probe",
]


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeConfig:
    """Architecture and training recipe of a linear probe (defaults: the original scripts).

    Parameters
    ----------
    hidden : int
        Width of the per-patch layer ``probe1`` (16).
    dropout : float
        Dropout on the summary tokens before ``probe1`` (0.5).
    max_norm1, max_norm2 : float
        Max L2 norm of each weight row of ``probe1`` (1.0) and ``probe2`` (0.25).
    chan_proj : bool
        Learn a 1x1 channel projection from the input channels onto ``target_channels`` before the
        encoder. The encoder then runs at every training step (no embedding caching).
    chan_proj_max_norm : float
        Max L2 norm of each projection filter (1.0).
    target_channels : tuple of str
        Vocabulary channels the projection produces (default the 19 10-20 channels of
        :data:`~eegpt.channels.PROBE_19_CHANNELS`).
    epochs : int
        Passes over the training set (100).
    batch_size : int
        Training batch size (64).
    max_lr : float
        Peak learning rate of the one-cycle schedule (4e-4).
    weight_decay : float
        AdamW weight decay (0.01).
    pct_start : float
        Fraction of the steps spent increasing the learning rate (0.2).
    patience : int or None
        Stop when the validation loss has not improved for this many epochs and restore the best
        weights; ``None`` (the original recipe) trains all epochs and keeps the last weights.
        Epochs count towards it only from the one where the learning rate peaks (about
        ``pct_start * epochs``): it never stops during the warm-up, when the loss may not have
        started to fall, while the best weights are tracked from the first epoch. Needs
        validation data.
    seed : int
        Seed of the head initialisation, dropout and batch order: the same seed gives the same
        probe on the same machine.
    class_weight : {None, "balanced", "none"}
        ``"balanced"`` weights each class's loss by ``n / (n_classes * n_class)`` of the training
        labels (scikit-learn's rule), so a rare class counts as much as a common one; ``None``
        (the original recipe) weights every epoch alike, as ``"none"`` does (the word
        :func:`eegpt.finetune` takes for it; stored as ``None``).
    """

    hidden: int = 16
    dropout: float = 0.5
    max_norm1: float = 1.0
    max_norm2: float = 0.25
    chan_proj: bool = False
    chan_proj_max_norm: float = 1.0
    target_channels: tuple[str, ...] = PROBE_19_CHANNELS
    epochs: int = 100
    batch_size: int = 64
    max_lr: float = 4e-4
    weight_decay: float = 0.01
    pct_start: float = 0.2
    patience: int | None = None
    seed: int = 0
    class_weight: Literal["balanced", "none"] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_channels", tuple(self.target_channels))
        check_batch_size(self.batch_size, optional=False)
        for name in ("hidden", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        for name in ("max_norm1", "max_norm2", "chan_proj_max_norm", "max_lr"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if not 0.0 < self.pct_start < 1.0:
            raise ValueError(f"pct_start must be in (0, 1), got {self.pct_start}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be a positive integer or None, got {self.patience}")
        if self.class_weight == "none":  # finetune's word for it: every epoch alike
            object.__setattr__(self, "class_weight", None)
        if self.class_weight not in (None, "balanced"):
            raise ValueError(
                "class_weight must be 'balanced', or None or 'none' (every epoch alike), got "
                f"{self.class_weight!r}"
            )
        unknown = [n for n in self.target_channels if normalize_channel_name(n) is None]
        if unknown or not self.target_channels:
            raise ValueError(
                f"target_channels must be EEGPT vocabulary names, got unknown {unknown} "
                "(see eegpt.channels.VOCABULARY)"
            )

    def __repr__(self) -> str:
        """Only the fields that differ from the defaults (the recipe is long; a grid search
        prints one per candidate): ``ProbeConfig(max_lr=0.005)``."""
        changed = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != f.default
        ]
        return f"ProbeConfig({', '.join(changed)})"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["target_channels"] = list(self.target_channels)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ProbeConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        return strict_from_dict(cls, d, "probe")

    def replace(self, **changes: Any) -> ProbeConfig:
        return ProbeConfig.from_dict({**self.to_dict(), **changes})


# --------------------------------------------------------------------------------------------
# The probe
# --------------------------------------------------------------------------------------------


def _assemble(
    encoder: EEGPTEncoder,
    *,
    n_classes: int,
    n_times: int,
    chan_ids: Sequence[int],
    config: ProbeConfig,
    n_inputs: int,
) -> EEGPT:
    """An :class:`EEGPT` (braindecode key layout) around ``encoder`` (shared, not copied)."""
    cfg = encoder.config
    shell = EEGPT(
        cfg.replace(depth=0),  # a cheap placeholder encoder, replaced right below
        chan_ids=list(chan_ids),
        n_outputs=n_classes,
        n_times=n_times,
        chan_proj=(n_inputs, len(chan_ids)) if config.chan_proj else None,
        chan_proj_max_norm=config.chan_proj_max_norm,
    )
    shell.target_encoder = encoder
    shell.config = cfg
    shell.final_layer = LinearProbe(
        cfg.n_patches(n_times),
        cfg.embed_num,
        cfg.embed_dim,
        n_classes,
        hidden=config.hidden,
        dropout=config.dropout,
        max_norm1=config.max_norm1,
        max_norm2=config.max_norm2,
    )
    return shell.to(next(encoder.parameters()).device)


def tuned_checkpoint_info(reference: Mapping[str, Any]) -> dict[str, Any]:
    """``checkpoint_info`` of a fine-tuned model (:func:`eegpt.finetune`, or loaded from its
    probe folder) from the :func:`encoder_reference` of the weights it was tuned from: no file
    of its own, those weights as its source (kept by :func:`eegpt.save_checkpoint` and shown
    by ``eegpt info``), and a "not pretrained" mark kept, and so are the marks of settings
    those weights' file did not record (``assumed``, ``assumed_basis``: fine-tuning keeps
    ``patch_stride`` and ``num_heads``, so they are as assumed as before; saved and loaded
    again, the model still says them)."""
    notes: dict[str, Any] = {"fine_tuned": "fine-tuned with eegpt.finetune from its source"}
    if reference.get("pretrained") is not None:
        notes["pretrained"] = reference["pretrained"]
    return {
        "path": None,
        "format": "model",
        "sha256": "",
        "config": dict(reference.get("config") or {}),
        "ch_names": None,
        "chan_ids": None,
        "input_ch_names": None,
        "source": {
            "file": reference.get("path"),
            "format": reference.get("format"),
            "sha256": reference.get("sha256"),
        },
        "notes": notes,
        **_encoder_marks(reference),
    }


def _encoder_marks(record: Mapping[str, Any]) -> dict[str, Any]:
    """The marks of encoder settings a checkpoint did not record, of its ``checkpoint_info``
    or an :func:`encoder_reference`: ``assumed`` and ``assumed_basis`` where set
    (:func:`eegpt.checkpoint_config.assumed_marks`), not ``assumed_channels`` (an original
    probe's projection channels: a probe or a fine-tuned model has its own)."""
    return {k: v for k, v in assumed_marks(record).items() if k != "assumed_channels"}


def encoder_reference(model: EEGPT | EEGPTEncoder) -> dict[str, Any]:
    """A probe's ``encoder`` record of ``model``: its checkpoint file (``path``, ``format``,
    file ``sha256``), ``pretrained`` (False for random weights: a checkpoint's notes say so,
    or a model built in Python and never loaded or trained,
    :attr:`~eegpt.model.EEGPT.has_random_weights`; None where unknown) and
    ``weights_sha256``, the :func:`encoder_fingerprint` of its weights (those a probe is
    trained on, or a fine-tuning starts from), and the checkpoint's marks of settings its
    file did not record (``assumed``, ``assumed_basis``; only where set), which a fine-tuned
    model keeps (:func:`tuned_checkpoint_info`)."""
    info = dict(getattr(model, "checkpoint_info", None) or {})
    pretrained = (info.get("notes") or {}).get("pretrained")
    if pretrained is None and isinstance(model, EEGPT) and model.has_random_weights:
        pretrained = False
    return {
        "path": info.get("path"),
        # the pretrained weights' name (eegpt-large), which finds them on another machine
        **({"pretrained_name": info["pretrained_name"]} if info.get("pretrained_name") else {}),
        "format": info.get("format"),
        "sha256": info.get("sha256") or None,
        "pretrained": pretrained,
        "weights_sha256": encoder_fingerprint(model),
        "config": encoder_of(model).config.to_dict(),
        **_encoder_marks(info),
    }


def _same_baseline(
    given: Sequence[float | None] | None,
    trained: Sequence[float | None] | None,
    sfreq: float | None,
) -> bool:
    """Whether two baseline intervals (``[start, end]`` s, None for none; an end None: the
    epochs' edge) are the same: each end equal within half a sample period of the data's
    rate ``sfreq`` (a probe does not record its training data's rate), as MNE rounds them
    to samples (``tmin=-0.2`` is -0.199219 s at 256 Hz); exactly equal where
    the rate is not known."""
    if given is None or trained is None:
        return given is None and trained is None
    if len(given) != len(trained):
        return False
    tolerance = 0.5 / float(sfreq) if sfreq else 0.0
    for a, b in zip(given, trained, strict=True):
        if a is None or b is None:
            if a is not b:
                return False
        elif abs(float(a) - float(b)) > tolerance + 1e-12:
            return False
    return True


def _baseline_known(metadata: Mapping[str, Any]) -> bool:
    """Whether embeddings' ``metadata`` tell whether their epochs were baseline-corrected:
    they hold ``epochs_baseline`` (written for MNE epochs and for windows of continuous
    recordings, None for none), or, written before it was, they are of what MNE read (a
    recording or ``-epo.fif`` file, ``<Raw>``, ``<Epochs>``), whose interval was recorded
    wherever a baseline was applied, so that its absence means none. Arrays (``.npz``,
    ``<array>``) and EEGLAB ``.set`` files record no baseline: unknown."""
    if "epochs_baseline" in metadata:
        return True
    source = str(metadata.get("source", ""))
    if source in ("<Raw>", "<Epochs>"):
        return True
    return (
        bool(source)
        and not source.startswith("<")
        and not source.lower().endswith((".npz", ".npy", ".set"))
    )


def _detrend_known(metadata: Mapping[str, Any]) -> bool:
    """Whether embeddings' ``metadata`` tell the trend MNE removed from their epochs: they
    hold ``epochs_detrend`` (epochs made in memory), or they are windows of a continuous
    recording (an ``epochs_baseline`` record without epochs' onsets), which nothing
    detrended. Epochs read from a file (``-epo.fif`` stores no detrend), arrays and
    EEGLAB ``.set`` epochs do not."""
    if "epochs_detrend" in metadata:
        return True
    return "epochs_baseline" in metadata and EPOCH_ONSETS_KEY not in metadata


_DETREND_ORDER = {"none": -1, "constant": 0, "linear": 1}  # PreprocessingConfig.detrend


def _detrend_said(order: int | None) -> str:
    """MNE's ``detrend`` of epochs in words: ``"detrended by MNE (the mean (DC offset) of
    each epoch's channels subtracted: detrend=0)"``, or not detrended (None)."""
    if order is None:
        return "not detrended by MNE (detrend=None)"
    return (
        f"detrended by MNE ({detrend_text(order)} of each epoch's channels subtracted: "
        f"detrend={order})"
    )


def _predicting(
    data: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    keep: str | Sequence[str] | None = None,
    overlap: float | None = None,
    annotations: str | os.PathLike | mne.Annotations | None = None,
    reject_by_annotation: bool = False,
    verbose: Verbose = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    stream_precision: Precision = "float32",
    batch_size: int | None = None,
    cache: EmbeddingCache | str | os.PathLike | bool | None = False,
) -> None:
    """The parameters of :meth:`EEGPTProbe.predict_proba`, ``predict`` and
    ``decision_function`` (:func:`eegpt._methods.keywords_of`): those of :meth:`~EEGPTProbe.windows`
    (input) and :meth:`~EEGPTProbe.logits_from_windows` (inference), as ``_split_kwargs``
    splits them."""


def _evaluating(
    data: Any,
    y: Any = None,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    keep: str | Sequence[str] | None = None,
    overlap: float | None = None,
    annotations: str | os.PathLike | mne.Annotations | None = None,
    reject_by_annotation: bool = False,
    verbose: Verbose = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    stream_precision: Precision = "float32",
    batch_size: int | None = None,
    cache: EmbeddingCache | str | os.PathLike | bool | None = False,
) -> None:
    """The parameters of :meth:`EEGPTProbe.evaluate`: ``y`` and those of :func:`_predicting`."""


class EEGPTProbe:
    """A trained EEGPT classifier: encoder, optional channel projection and linear head.

    Made by :func:`train_probe` (frozen encoder) or :func:`eegpt.finetune.finetune` (trained
    encoder), or read back with :func:`load_probe`.

    Attributes
    ----------
    model : EEGPT
        Encoder + ``final_layer`` (+ ``chan_proj``), with braindecode's key layout. For a frozen
        probe, ``model.target_encoder`` is the encoder module it was trained with (shared).
    classes_ : ndarray, shape (n_classes,)
        Class labels; column ``k`` of :meth:`predict_proba` is ``classes_[k]``.
    config : ProbeConfig
        Architecture and recipe.
    preprocessing : PreprocessingConfig
        How epochs become model windows (every epoch is one window).
    input_names : tuple of str
        Channels taken from the input: vocabulary names without a projection (matched after
        :func:`~eegpt.channels.map_channels`), the exact input names with one.
    encoder_names : tuple of str
        Vocabulary names of the encoder's channels.
    encoder : dict
        Reference to the encoder: checkpoint ``path``, ``format``, file ``sha256``,
        ``weights_sha256`` and ``config``. ``weights_sha256`` is the
        :func:`encoder_fingerprint` of the encoder weights the probe was trained on (frozen),
        or started from (fine-tuned: the same as ``finetuned_from["weights_sha256"]``); a
        fine-tuned probe's own encoder weights, as saved with it, are fingerprinted in
        ``tuned_weights_sha256`` (absent from probes saved by earlier versions).
    frozen_encoder : bool
        ``True`` for a linear probe (the encoder is not saved with it), ``False`` after
        fine-tuning (the whole model is saved).
    history : list of dict
        Per training epoch: ``epoch``, ``lr``, ``train_loss``, ``train_accuracy``,
        ``train_balanced_accuracy`` (running, over the epoch's batches with dropout on; absent
        from probes saved by earlier versions) and, with validation data, ``val_loss``,
        ``val_accuracy``, ``val_balanced_accuracy``.
    training : dict
        Other facts of the training run (epochs run, ``best_epoch`` (lowest validation loss),
        ``kept_epoch`` (whose weights the model holds: with validation data and ``patience``,
        the best one, whether or not training stopped early; else the last), sizes, seconds).
    rename : dict | str | None
        The channel renames it was trained with (``rename=`` / ``--rename``; a table file as
        its entries, read once, a cap's table by its name); prediction and evaluation use them
        when given none, wherever the data have those channels.
    keep : list of str | None
        The channels it was trained on were restricted to (``keep=`` / ``--keep-channels``, as
        given: ``["10-20"]``); None where not. Prediction and evaluation apply it too, so a
        recording with more channels gives the trained ones without a warning for the others;
        a ``keep`` given there must keep every channel the probe was trained on
        (:meth:`windows`).
    """

    def __init__(
        self,
        model: EEGPT,
        *,
        classes: npt.ArrayLike,
        config: ProbeConfig,
        preprocessing: PreprocessingConfig,
        input_names: Sequence[str],
        encoder_names: Sequence[str],
        encoder: dict[str, Any],
        frozen_encoder: bool = True,
        history: list[dict[str, float]] | None = None,
        training: dict[str, Any] | None = None,
        rename: Rename | None = None,
        keep: str | Sequence[str] | None = None,
    ) -> None:
        if model.final_layer is None:
            raise ValueError("a probe model needs a final_layer head")
        self.model = model
        self.classes_ = np.asarray(classes)
        self.config = config
        self.preprocessing = preprocessing
        self.input_names = tuple(input_names)
        self.encoder_names = tuple(encoder_names)
        self.encoder = dict(encoder)
        self.frozen_encoder = bool(frozen_encoder)
        self.history = list(history or [])
        self.training = dict(training or {})
        if isinstance(rename, (str, os.PathLike)) and os.fspath(rename) not in CAPS:
            if Path(rename).is_file():  # a table file: its entries, not a path to read again
                rename = rename_table(rename)  # (as rename_table orders them: a cap, a file)
        self.rename = dict(rename) if isinstance(rename, Mapping) else rename
        self.keep = None if keep is None else _keep_list(keep)
        # kinds of warnings held back while they repeat, and the calls that gave them
        self._warned: dict[str, set[str]] = {}  # (each_warning_once)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle, giving a probe pickled by an earlier eegpt (inside a fitted
        :class:`~eegpt.sklearn.EEGPTClassifier`) the attributes added since at what that eegpt
        did: no ``rename`` or ``keep`` of its own, no warnings held back."""
        self.__dict__.update(state)
        self.__dict__.setdefault("rename", None)
        self.__dict__.setdefault("keep", None)
        if not isinstance(self.__dict__.get("_warned"), dict):  # none, or the set once kept
            self._warned = {}

    def __repr__(self) -> str:
        kind = "linear probe" if self.frozen_encoder else "fine-tuned model"
        proj = ""
        if self.config.chan_proj:
            proj = f", projection {len(self.input_names)}->{len(self.encoder_names)}"
        return (
            f"<EEGPTProbe {kind}: {len(self.classes_)} classes [{few([repr(c) for c in self.classes_.tolist()], 8)}], "
            f"{len(self.encoder_names)} encoder channels{proj}, "
            f"{self.preprocessing.window_seconds:g} s windows>"
        )

    @property
    def n_times(self) -> int:
        return self.preprocessing.n_samples

    @property
    def chan_ids(self) -> tuple[int, ...]:
        return tuple(CHANNEL_INDEX[name] for name in self.encoder_names)

    # ---------------------------------------------------------------- input
    def windows(
        self,
        data: Any,
        *,
        ch_names: Sequence[str] | None = None,
        sfreq: float | None = None,
        units: Units = "V",
        rename: Rename | None = None,
        keep: str | Sequence[str] | None = None,
        overlap: float | None = None,
        annotations: str | os.PathLike | mne.Annotations | None = None,
        reject_by_annotation: bool = False,
        verbose: Verbose = None,
    ) -> np.ndarray:
        """Model-ready windows ``[n, C, T]`` (mV) of epochs, in the probe's channel order.

        ``data`` is an ``mne.Epochs``, a ``-epo.fif`` path or an array ``[n_epochs, C, T]`` with
        ``ch_names``, ``sfreq`` and ``units``: one window per epoch. A continuous recording
        (``mne.io.Raw`` or the path of an EEG file such as an ``.edf``) is cut into
        consecutive, non-overlapping windows of the probe's window length
        (``preprocessing.window_seconds``) from its first sample: window ``k`` starts
        ``k * window_seconds`` seconds in (see :meth:`window_onsets`); a shorter rest at the
        end is left out (or zero-padded, for a probe trained with ``tail="pad"``).
        ``overlap`` (seconds, ``0 <= overlap < window_seconds``, a hop of whole samples at
        the probe's rate, 256 Hz) cuts overlapping windows instead, ``window_seconds -
        overlap`` apart: sliding-window predictions, a decision every hop (``overlap=3.5``
        of 4 s windows: one every 0.5 s). It is a choice made at prediction: an ``overlap``
        in the probe's ``preprocessing`` is not applied (a warning says so), nor does it
        apply to epochs (one window each; a warning says so). Extra
        channels are ignored (with a warning, unless the probe was trained with ``keep``,
        which applies here too); missing ones raise. ``keep`` (``--keep-channels``) may be
        given as in training: it must keep every channel the probe was trained on (it cannot
        change them), else a ``ValueError`` says which it leaves out.

        NaN/Inf samples are refused, as by :func:`eegpt.embed`, except, with
        ``reject_by_annotation``, those of a continuous recording that all lie inside
        annotations marked bad (its own and those of ``annotations``: a file or
        ``mne.Annotations``, as :func:`eegpt.embed` takes them), whose windows the caller
        leaves out (``eegpt probe predict --reject-by-annotation`` drops their rows): they are
        filled with each channel's straight line, as ``embed`` fills them, never given to the
        model as NaN (:func:`~eegpt.signal_checks.check_finite`, with a warning). Those
        windows are still made, so that window ``k`` stays the ``k``-th (:meth:`window_onsets`):
        their predictions are of the filled samples, to be dropped
        (:func:`eegpt.annotations.window_annotations` and :func:`~eegpt.annotations.
        bad_windows` tell which).
        """
        keep = self._checked_keep(keep)
        on_missing = rename_on_missing(data)
        table: Rename | None = rename
        if rename is None and self.rename:  # training's: for the channels these data have
            table, on_missing = self.rename, "ignore"
        rec = as_epochs_recording(
            data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose, rename=table,
            preprocessing=self.preprocessing, continuous=True, keep=keep,
        )  # fmt: skip
        crop = self.preprocessing.crop_tmin
        if rec.is_epoched and crop is not None and rec.tmin is None:  # arrays: no times
            _warn(crop_left_out_for_arrays(crop, self.preprocessing.window_seconds))
        elif rec.is_epoched:  # the probe's crop_tmin (--crop): each epoch to one window
            with probe_crop():
                rec = crop_epochs(rec, self.preprocessing)
        self._check_epoch_length(rec)
        self._check_baseline(
            rec.baseline,
            f"{rec.source}'s {'epochs' if rec.is_epoched else 'windows'}",
            recorded=rec.baseline_recorded or not rec.is_epoched,
            sfreq=rec.sfreq,
        )
        self._check_detrend(
            rec.detrend,
            f"{rec.source}'s {'epochs' if rec.is_epoched else 'windows'}",
            recorded=rec.detrend_recorded or not rec.is_epoched,
        )
        config = self._continuous_preprocessing(overlap, rec)
        short = rec.duration - config.start_seconds < config.window_seconds
        if not rec.is_epoched and short and config.tail == "drop":
            start = config.start_seconds  # check_length's words for a start
            raise RecordingError(
                f"{rec.source}: the recording lasts {rec.duration:.3f} s, shorter than one "
                f"window of the probe ({config.window_seconds:g} s, the length it was trained "
                "on, which its predictions keep)"
                + (f" after the first window's start (start_seconds={start:g}, --start)"
                   if start else "")
                + ": give a recording of at least that length"
                + (" after the start, or an earlier start" if start else "")
            )  # fmt: skip
        bad_spans = None  # as embed's: the error names the option where they lie inside
        if not rec.is_epoched:
            from eegpt.annotations import BadSpans

            bad_spans = BadSpans.of(rec, annotations, reject=reject_by_annotation)
        if self.config.chan_proj:
            return _projection_windows(
                rec, self.input_names, config, warn_reference=False, bad_spans=bad_spans
            )
        mapping = map_channels(
            rec.ch_names, rename=table, on_missing=on_missing, verbose=verbose, source=rec.source,
            left_out=rec.left_out, keep=keep, used=self.input_names,
        )  # fmt: skip
        mapping = subset_mapping(mapping, self.input_names, rec.source, bads=rec.bads, rename=table)
        # predictions: data all flat warn (prepare's rule), as a loop predicting epoch by
        # epoch goes on; the trained preprocessing is fixed: its reference was warned of then
        return prepare(
            rec, mapping, config, refuse_flat=False, warn_reference=False, verbose=verbose,
            bad_spans=bad_spans,
        ).data  # fmt: skip

    def _checked_keep(self, keep: str | Sequence[str] | None) -> str | Sequence[str] | None:
        """The channel restriction to apply to the data (``keep`` given, else the probe's own,
        :attr:`keep`); a ``keep`` given that leaves out a channel the probe was trained on,
        or any with a channel projection (which takes the input channels by name), raises."""
        if keep is None:
            return self.keep
        trained = ", ".join(self.input_names)
        if self.config.chan_proj:
            raise ValueError(
                f"keep={_keep_list(keep)} (--keep-channels) restricts the vocabulary channels "
                "of a probe without a channel projection, but this probe projects its input "
                f"channels ({trained}) by name: leave keep out"
            )
        kept = set(kept_channels(keep) or ())
        lost = [name for name in self.input_names if name not in kept]
        if lost:
            how = f" (trained with keep={self.keep})" if self.keep else ""
            raise ValueError(
                f"keep={_keep_list(keep)} (--keep-channels) leaves out {few(lost, 10)}, which "
                f"the probe was trained on{how}: a probe takes the {len(self.input_names)} "
                f"channels it was trained on ({trained}), whatever else the data hold. Leave "
                "keep out (the probe's own channels apply), or give one that keeps them all"
            )
        return keep

    def _continuous_preprocessing(
        self, overlap: float | None = None, rec: Recording | None = None
    ) -> PreprocessingConfig:
        """The probe's preprocessing with the windows of a prediction: ``overlap`` seconds
        (None: 0, consecutive windows) whatever the probe's ``preprocessing`` holds, which
        is warned of for the continuous recording ``rec`` when it holds another; epochs are
        one window each either way (``prepare`` warns of an overlap given for them)."""
        recorded = float(self.preprocessing.overlap)
        if overlap is None and recorded and rec is not None and not rec.is_epoched:
            _warn(
                f"{rec.source}: the probe's preprocessing has overlap={recorded:g} s, which "
                "predictions do not apply: they cut a recording into consecutive windows "
                "unless an overlap is asked for when predicting. Pass overlap="
                f"{recorded:g} (e.g. probe.predict_proba(raw, overlap={recorded:g}); eegpt "
                f"probe predict --overlap {recorded:g}) for overlapping windows"
            )
        config = self._with_overlap(overlap or 0.0)
        uncropped = rec is not None and (not rec.is_epoched or rec.tmin is None)
        if uncropped and config.crop_tmin is not None:
            # the crop of the epochs trained on: a recording's windows have no event to crop
            # by, arrays no times (used as cut)
            config = replace(config, crop_tmin=None)
        return config

    def _with_overlap(self, overlap: float) -> PreprocessingConfig:
        """The probe's preprocessing with ``overlap`` seconds between windows; an overlap that
        is not in ``[0, window_seconds)`` or whose hop is no whole number of samples at the
        probe's rate raises, naming one that is."""
        if float(self.preprocessing.overlap) == float(overlap):
            return self.preprocessing
        try:
            return replace(self.preprocessing, overlap=float(overlap))
        except ValueError as err:
            raise ValueError(
                f"overlap={overlap!r} (--overlap) does not fit the probe's "
                f"{self.preprocessing.window_seconds:g} s windows: {err}"
            ) from None

    def window_onsets(self, n_windows: int, overlap: float | None = None) -> np.ndarray:
        """Onsets in seconds from the first sample of the first ``n_windows`` windows the
        probe cuts from a continuous recording (:meth:`windows`): ``start_seconds + k *
        hop``, the hop ``window_seconds - overlap`` (``overlap`` as given to :meth:`windows`
        or :meth:`predict_proba`; None: 0, the window length). Add ``raw.first_time`` for
        MNE's time base (that of annotations and events)."""
        config = self._with_overlap(overlap or 0.0)
        hop = config.step_samples / float(config.sfreq)
        return float(config.start_seconds) + np.arange(n_windows) * hop

    def _refuse_continuous(self, data: Any) -> None:
        """Evaluation needs labelled epochs: refuse a continuous recording (a Raw or the path
        of a file that cannot hold epochs), saying how to cut epochs from it."""
        window = self.preprocessing.window_seconds
        if isinstance(data, mne.io.BaseRaw):
            raise ValueError(f"got a continuous mne.io.Raw, but {_needs_epochs('a probe', window)}")
        if isinstance(data, (str, os.PathLike)) and not may_hold_epochs(data):
            raise ValueError(
                f"{data}: a continuous recording, but "
                f"{_needs_epochs('a probe', window, 'mne.io.read_raw(path)')}"
            )

    def _check_epoch_length(self, rec: Recording) -> None:
        """Epochs must last the probe's window (shorter ones only if it pads them), as
        resampled to its rate: 0.7 s epochs at 250 Hz become 180 samples at 256 Hz, the
        0.703125 s windows of a probe trained on them."""
        config = self.preprocessing
        window = config.window_seconds
        if not rec.is_epoched:
            return
        n = resampled_length(rec.data.shape[-1], rec.sfreq, config.sfreq, config.resample)
        if n == config.n_samples or (n < config.n_samples and config.tail == "pad"):
            return
        how = (
            f"crop them, e.g. {crop_call(window)} (MNE's tmax is inclusive), or on the "
            "command line with --crop TMIN (each epoch cropped to [TMIN, TMIN + "
            f"{window:g}) s around its event)"
            if n > config.n_samples
            else "cut longer ones from the recording, e.g. mne.Epochs(raw, events, tmin=0, "
            f"tmax={window:g} - 1 / raw.info['sfreq'], baseline=None)"
        )
        raise RecordingError(
            f"{rec.source}: epochs last {rec.duration:.4f} s, but this probe takes {window:g} s "
            f"epochs (it was trained on {window:g} s windows); {how}"
        )

    # ---------------------------------------------------------------- inference
    def _forward(self) -> Callable[[torch.Tensor], torch.Tensor]:
        ids = torch.as_tensor(self.chan_ids, dtype=torch.long)

        def forward(x: torch.Tensor) -> torch.Tensor:
            return self.model(x, ids.to(x.device))

        return forward

    def logits_from_windows(
        self,
        windows: np.ndarray,
        *,
        device: str | torch.device | None = None,
        precision: Precision = "float32",
        batch_size: int | None = None,
        cache: EmbeddingCache | str | os.PathLike | bool | None = False,
        stream_precision: Precision = "float32",
    ) -> np.ndarray:
        """Logits ``[n, n_classes]`` of model-ready windows (see :meth:`windows`).
        ``stream_precision``: of the frozen encoder's residual stream under a reduced
        ``precision`` (:class:`~eegpt.engine.InferenceEngine`); float32 for other probes."""
        dev = resolve_device(device)
        precision = check_precision(precision, dev)
        stream_precision = precision_name(stream_precision, "stream_precision")
        frozen = self.frozen_encoder and not self.config.chan_proj
        if not frozen:  # autocast; a frozen encoder's engine warns of its own
            warn_if_emulated_bf16(precision, dev)
        if stream_precision != "float32" and not frozen:
            raise ValueError(
                f"stream_precision={stream_precision!r} (--stream-precision) applies to a "
                "frozen encoder's embeddings; this probe runs its encoder under autocast (a "
                "channel projection or a fine-tuned encoder): leave stream_precision float32"
            )
        self.model.to(dev).eval()
        if frozen:
            z = embed_windows(
                self.model,
                windows,
                self.chan_ids,
                device=dev,
                precision=precision,
                batch_size=batch_size,
                cache=cache,
                preprocessing=self.preprocessing,
                stream_precision=stream_precision,
            )
            head = cast(LinearProbe, self.model.final_layer)  # not None: __init__ checks
            logits = predict_logits(head, z, batch_size or GPU_BATCH_SIZE, dev, "float32")
        else:
            config = encoder_of(self.model).config
            bs = batch_size or default_batch_size(dev, config, windows.shape)
            logits = predict_logits(self._forward(), windows, bs, dev, precision)
        return logits.numpy()

    @keywords_of(_predicting)
    @honours_verbose
    def decision_function(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Logits ``[n_epochs, n_classes]`` (float); the parameters of :meth:`predict_proba`.

        A warning about the data (a channel left out, the amplitude) is given once, not again
        by each later prediction, evaluation or figure on the same data; after a call on data
        without it, the next data that give it are warned about again."""
        from eegpt.outputs import Embeddings

        if isinstance(data, Embeddings):  # e.g. of a stream: OnlineEmbedder.push
            return self._logits_of_embeddings(data, **kwargs)
        split = _split_kwargs(kwargs)
        if not isinstance(self._warned, dict):  # pickled by an earlier eegpt, which kept a set
            self._warned = {}
        with each_warning_once(self._warned):
            windows = self.windows(data, **split[0])
            self._check_amplitude(windows)
            return self.logits_from_windows(windows, **split[1])

    # ---------------------------------------------------------------- embeddings, streams
    def _refuse_embedding_free(self, what: str) -> None:
        """Refuse ``what`` (embeddings in, or a stream embedder out) for a probe whose head
        does not sit on the pretrained encoder's embeddings: a channel projection mixes the
        input channels before the encoder, a fine-tuned probe has its own encoder."""
        if self.config.chan_proj:
            raise ValueError(
                f"{what} takes a linear probe on the encoder's embeddings, but this probe mixes "
                f"its {len(self.input_names)} input channels in a channel projection before the "
                "encoder: predict from the EEG itself (probe.predict_proba(epochs)), or train a "
                "probe without chan_proj for online use"
            )
        if not self.frozen_encoder:
            raise ValueError(
                f"{what} takes a linear probe (frozen encoder), but this probe was fine-tuned: "
                "its own encoder makes other embeddings than the pretrained one. Predict from "
                "the EEG itself (probe.predict_proba(epochs)), e.g. of each window a stream "
                "completes"
            )

    def _check_baseline(
        self,
        given: Sequence[float | None] | None,
        what: str,
        recorded: bool = True,
        sfreq: float | None = None,
    ) -> None:
        """Warn when this probe was trained on epochs MNE baseline-corrected and ``what`` (the
        data to predict; ``given``: their baseline interval, None for none) were not, or over
        another interval, or may not have been: each channel's offset differs from the
        training data's. ``recorded``: whether ``given`` is known (MNE epochs, continuous
        recordings, streams); False for data that record no baseline correction (arrays,
        EEGLAB .set epochs, embeddings without the record), for which eegpt cannot tell. Probes
        saved before the training data's baseline was recorded are not checked. ``sfreq``:
        the data's rate (Hz, as recorded), None if not known: MNE rounds an interval's ends
        to samples, so ends within half a sample period of the data's rate are the same (a
        probe does not record its training data's rate)."""
        trained = _baseline_record(self.training.get("epochs_baseline"))
        given = _baseline_record(given)
        if trained is None or _same_baseline(given, trained, sfreq):
            return
        if given is not None:
            done = f"were corrected over {baseline_text(given)}"
        elif recorded:
            done = "are not"
        else:  # arrays, .set files: whether they were corrected is not recorded in them
            _warn(
                f"this probe was trained on epochs that MNE baseline-corrected over "
                f"{baseline_text(trained)} (each channel's mean over that interval "
                f"subtracted: mne.Epochs' default baseline), but whether {what} were "
                "baseline-corrected is not recorded in them (arrays, EEGLAB .set files and "
                "embeddings of them carry no such record), so eegpt cannot check it: if they "
                "were not, or over another interval, their channels' offsets differ from those "
                "of the training data and the probe's predictions on them mean less. Give "
                f"epochs baseline-corrected over {baseline_text(trained)} as in training, or "
                "train the probe on epochs made with baseline=None (mne.Epochs(..., "
                "baseline=None)), or with detrend='constant' (--detrend constant: each "
                "window's mean taken out alike in training, epochs, recordings and streams)"
            )
            return
        _warn(
            f"this probe was trained on epochs that MNE baseline-corrected over "
            f"{baseline_text(trained)} (each channel's mean over that interval subtracted: "
            f"mne.Epochs' default baseline), but {what} {done}, so their channels' offsets "
            "differ from those of the training data and the probe's predictions on them mean "
            "less. Train the probe on epochs made with baseline=None (mne.Epochs(..., "
            "baseline=None)), or with detrend='constant' (--detrend constant: each window's "
            "mean taken out alike in training, epochs, recordings and streams)"
        )

    def _check_detrend(self, given: int | None, what: str, recorded: bool = True) -> None:
        """Warn when this probe was trained on epochs MNE detrended (``epochs.detrend``: 0
        the mean, 1 a least-squares line of each epoch's channels) and ``what`` (the data to
        predict; ``given``: their ``epochs.detrend``, None for none) were not, or of another
        order, or the reverse: each epoch differs from the training data by that trend.
        ``recorded``: whether ``given`` is known (epochs made in memory, continuous
        recordings, streams); False for epochs read from a file (``-epo.fif`` stores no
        detrend), arrays and embeddings without the record, warned of only where the training
        epochs were detrended. Not checked for probes saved before the training data's detrend
        was recorded (or trained on epochs whose detrend is not known), nor where the probe's
        own detrend of each window (``--detrend``) removes both trends anyway."""
        if "epochs_detrend" not in self.training:
            return
        trained = self.training["epochs_detrend"]
        own = _DETREND_ORDER.get(self.preprocessing.detrend, -1)
        orders = [-1 if o is None else int(o) for o in (trained, given if recorded else None)]
        if (recorded and given == trained) or own >= max(orders):
            return
        alike = (
            "'constant' (--detrend constant: each window's mean"
            if max(orders) == 0
            else ("'linear' (--detrend linear: each window's least-squares line")
        )
        advice = (
            f"or train the probe with detrend={alike} taken out alike in training, epochs, "
            "recordings and streams)"
        )
        if not recorded:  # epochs read from a file, arrays: not recorded in them
            _warn(
                f"this probe was trained on epochs {_detrend_said(trained)}, but whether {what} "
                "were detrended is not recorded in them (epochs read from a file, which stores "
                "no detrend, arrays and embeddings of them carry no such record), so eegpt "
                "cannot check it: if they were not, or otherwise, each epoch differs from the "
                "training data by that trend and the probe's predictions on them mean less. "
                f"Give epochs made with mne.Epochs(..., detrend={trained}) as in training, "
                + advice
            )
            return
        _warn(
            f"this probe was trained on epochs {_detrend_said(trained)}, but {what} were "
            f"{_detrend_said(given)}, so each epoch differs from the training data by that "
            "trend and the probe's predictions on them mean less. Make them alike "
            f"(mne.Epochs(..., detrend={trained}) as in training), " + advice
        )

    @honours_verbose
    def online(
        self,
        ch_names: Sequence[str],
        sfreq: float,
        *,
        units: Units = "V",
        overlap: float | None = None,
        start_seconds: float = 0.0,
        rename: Rename | None = None,
        on_unknown: str = "drop",
        device: Any = None,
        precision: Precision = "float32",
        batch_size: int | None = None,
        engine: InferenceEngine | None = None,
        skip_stale: bool = False,
        warm_up: bool = True,
        gap_tolerance: float = 0.02,
        verbose: Verbose = None,
    ) -> OnlineEmbedder:
        """A :class:`~eegpt.online.OnlineEmbedder` for a live stream whose windows this probe
        classifies: ``probe.predict_proba(online.push(chunk))``.

        It runs the probe's encoder with the probe's preprocessing (window length, reference,
        resampling, detrending: as trained) on the channels it was trained on, renamed as in
        training unless ``rename`` is given; a stream without one of them is refused here,
        as :meth:`predict_proba` refuses such epochs (its other channels are left out, with a
        warning). Each window's probabilities equal those of :meth:`predict_proba` on the same
        stretch of signal as one epoch (``mne.Epochs(..., baseline=None)``).

        Parameters
        ----------
        ch_names : list of str
            The stream's channel names, in the order of each chunk's rows.
        sfreq : float
            The stream's sampling rate in Hz.
        units : ``"V"`` | ``"mV"`` | ``"uV"`` | ``"µV"``
            Unit of the pushed samples (LSL and amplifier APIs usually give ``"uV"``).
        overlap : float | None
            Seconds each window overlaps the previous one: a decision every
            ``window_seconds - overlap`` seconds. ``None`` (default): 0, one decision per
            window length, whatever the probe's ``preprocessing.overlap`` holds (probes
            trained on epochs record 0; an older probe may record another, which applies
            only when given here), as :meth:`predict_proba` of a recording.
        start_seconds : float
            Seconds of the stream left out before the first window (default 0: the first
            window starts at the first sample pushed). The probe's own
            ``preprocessing.start_seconds`` (set for predicting a recording, ``--start``)
            does not apply to a stream.
        gap_tolerance : float
            Seconds a push's ``timestamp`` (e.g. LSL's) may lie past where the samples pushed
            put it before the difference counts as samples lost, as for
            :class:`~eegpt.online.OnlineEmbedder` (default 0.02 s).
        engine : InferenceEngine | None
            An engine built on the probe's encoder (its weights), to share between
            embedders: the embedder then runs it, not a copy of the model.
        rename, on_unknown, device, precision, batch_size, skip_stale, warm_up, verbose
            As for :class:`~eegpt.online.OnlineEmbedder`.

        Returns
        -------
        OnlineEmbedder
            It runs its own copy of the probe's model (``probe.model`` may move to another
            device for :meth:`predict_proba` of epochs meanwhile), or ``engine``.
            Its :meth:`~eegpt.online.OnlineEmbedder.push` returns the windows each chunk
            completes, ``[n, N, S, D]`` (``n`` often 0), which :meth:`predict_proba` takes.

        Examples
        --------
        >>> online = probe.online(ch_names, sfreq=250, units="uV", overlap=3.5)
        >>> for chunk in stream:                      # [n_channels, n_times]
        ...     emb = online.push(chunk)
        ...     for onset, p in zip(emb.onsets, probe.predict_proba(emb)):
        ...         act(onset, probe.classes_[p.argmax()])
        """
        from eegpt.online import OnlineEmbedder

        self._refuse_embedding_free("probe.online")
        if not isinstance(self._warned, dict):  # pickled by an earlier eegpt, which kept a set
            self._warned = {}
        with each_warning_once(self._warned):  # not said again by predict_proba of its windows
            self._check_baseline(None, "a live stream's windows")
            self._check_detrend(None, "a live stream's windows")
        table: Any = rename
        on_missing = "raise"
        if rename is None and self.rename:  # training's: for the channels the stream has
            table, on_missing = self.rename, "ignore"
        # its own copy of the model: predict_proba(epochs) on another device moves
        # self.model, which would leave the embedder's engine refusing every push (an engine
        # given runs its own encoder, checked to hold the probe's weights)
        model = copy.deepcopy(self.model) if engine is None else self.model
        # a stream's windows: from its first sample (a start set for predicting a recording
        # is that recording's), none overlapping unless asked, as predict_proba cuts one
        # (and no crop: crop_tmin crops epochs around their event; a stream has none)
        config = replace(
            self.preprocessing, overlap=0.0, start_seconds=float(start_seconds), crop_tmin=None
        )
        return OnlineEmbedder(
            model, ch_names, sfreq, units=units, overlap=0.0 if overlap is None else overlap,
            rename=table, on_unknown=on_unknown, on_missing=on_missing, keep=self.keep,
            channels=self.input_names, preprocessing=config, device=device,
            precision=precision, batch_size=batch_size, engine=engine, skip_stale=skip_stale,
            warm_up=warm_up, gap_tolerance=gap_tolerance, verbose=verbose,
        )  # fmt: skip

    def _check_embeddings(self, emb: Embeddings) -> None:
        """Refuse embeddings made otherwise than this probe's training embedded its epochs:
        another shape (encoder size, window length), preprocessing, channel set or encoder;
        the error names the difference."""
        self._refuse_embedding_free("predict_proba of Embeddings")
        config = encoder_of(self.model).config
        shape = (config.n_patches(self.n_times), config.embed_num, config.embed_dim)
        if emb.data.ndim != 4 or tuple(emb.data.shape[1:]) != shape:
            raise ValueError(
                f"the embeddings are {tuple(emb.data.shape)}, but this probe takes [n, {shape[0]}, "
                f"{shape[1]}, {shape[2]}] (patches of its {self.preprocessing.window_seconds:g} s "
                "windows, summary tokens, features; unpooled): embed with the probe's encoder "
                "and preprocessing, e.g. probe.online(...) for a stream"
            )
        meta = emb.metadata
        how = " (make them with probe.online(...) for a stream, or model.embed(epochs, preprocessing=probe.preprocessing))"
        given = meta.get("preprocessing")
        if isinstance(given, Mapping):
            from eegpt.preprocessing_spec import stored_defaults

            trained = self.preprocessing.to_dict()
            # a field an older record lacks means what a stored record means by its absence
            # (average_reference False, detrend "none"), not "anything"
            given = {**stored_defaults(), **given}
            # the hop, the start, the tail and the crop of epochs (crop_tmin: epochs cropped
            # before embedding, or a stream's windows, have none) cut a recording or its
            # epochs; each window is prepared alike
            differ = [
                f"{key}={given[key]!r} (the probe's: {value!r})"
                + (" (recorded before the field was)" if key not in meta["preprocessing"] else "")
                for key, value in trained.items()
                if key not in ("overlap", "start_seconds", "tail", "crop_tmin")
                and key in given
                and given[key] != value
            ]
            if differ:
                raise ValueError(
                    "the embeddings were preprocessed otherwise than the probe's training data: "
                    f"{', '.join(differ)}; its predictions on them would mean little" + how
                )
        channels = meta.get("channels")
        if isinstance(channels, Mapping) and "names" in channels:
            names = [str(n) for n in channels["names"]]
            missing = [n for n in self.input_names if n not in names]
            extra = [n for n in names if n not in self.input_names]
            if missing or extra:
                raise ValueError(
                    f"the embeddings are of other channels than the probe's "
                    f"{len(self.input_names)} ({', '.join(self.input_names)}): "
                    + "; ".join(
                        text
                        for text in (
                            f"without {few(missing, 10)}" if missing else "",
                            f"with {few(extra, 10)} besides" if extra else "",
                        )
                        if text
                    )
                    + (self._keep_only_advice(channels) if extra and not missing else how)
                )
        model = meta.get("model")
        trained_model = self.encoder.get("config")
        if isinstance(model, Mapping) and isinstance(trained_model, Mapping):
            differ = [
                f"{key}={model[key]!r} (the probe's: {value!r})"
                for key, value in trained_model.items()
                if key in model and model[key] != value
            ]
            if differ:
                raise ValueError(
                    f"the embeddings were made by another encoder: {', '.join(differ)}" + how
                )
        checkpoint = meta.get("checkpoint") or {}
        weights, trained_weights = (
            checkpoint.get("weights_sha256"),
            self.encoder.get("weights_sha256"),
        )
        if weights and trained_weights:  # the weights themselves, whichever file held them
            if weights != trained_weights:
                raise ValueError(
                    f"the embeddings were made by an encoder with other weights (fingerprint "
                    f"{str(weights)[:12]}..., the probe's {str(trained_weights)[:12]}...)" + how
                )
            return
        file = checkpoint.get("sha256")  # embeddings recorded without the fingerprint
        if file and self.encoder.get("sha256") and file != self.encoder["sha256"]:
            raise ValueError(
                f"the embeddings were made by the encoder of another checkpoint file (sha256 "
                f"{str(file)[:12]}..., the probe's {str(self.encoder['sha256'])[:12]}...)" + how
            )

    def _keep_only_advice(self, channels: Mapping[str, Any]) -> str:
        """How to embed a recording whose channels (its embeddings' record ``channels``)
        hold the probe's and others: keep only the probe's, named as the recording names them
        where ``keep`` takes that name (else as the vocabulary does)."""
        vocab = [str(n) for n in channels["names"]]
        inputs, picks = channels.get("input_names"), channels.get("picks")
        spelled: dict[str, str] = {}
        if isinstance(inputs, Sequence) and isinstance(picks, Sequence):
            for name, pick in zip(vocab, picks, strict=False):
                if isinstance(pick, int) and 0 <= pick < len(inputs):
                    spelled[name] = str(inputs[pick])
        recording = [spelled.get(name, name) for name in self.input_names]
        keep = [
            given if normalize_channel_name(given) == name else montage_spelling(name)
            for given, name in zip(recording, self.input_names, strict=True)
        ]
        return (
            ". Keep only the probe's channels: model.embed(epochs, preprocessing="
            f"probe.preprocessing, keep={keep!r}) (the recording's {few(recording, 20)}); or "
            "probe.predict_proba(epochs), which leaves the others out (a stream: probe.online)"
        )

    def _logits_of_embeddings(
        self,
        emb: Embeddings,
        *,
        device: str | torch.device | None = None,
        batch_size: int | None = None,
        verbose: Verbose = None,
        **other: Any,
    ) -> np.ndarray:
        """Logits ``[n, n_classes]`` of the head on embeddings ``emb`` (checked first)."""
        if other:
            raise TypeError(
                f"{sorted(other)} apply to EEG input; embeddings take device and batch_size only"
            )
        check_batch_size(batch_size)
        self._check_embeddings(emb)
        if not isinstance(self._warned, dict):  # pickled by an earlier eegpt, which kept a set
            self._warned = {}
        with each_warning_once(self._warned):  # once for a stream's pushes, not at each
            stream = emb.metadata.get("source") == "<stream>"  # as probe.online said it
            what = "a live stream's windows" if stream else "these embeddings"
            self._check_baseline(
                emb.metadata.get("epochs_baseline"),
                what,
                recorded=stream or _baseline_known(emb.metadata),
                sfreq=emb.metadata.get("sfreq_in"),
            )
            self._check_detrend(
                emb.metadata.get("epochs_detrend"),
                what,
                recorded=stream or _detrend_known(emb.metadata),
            )
        dev = resolve_device(device)
        head = cast(LinearProbe, self.model.final_layer)  # not None: __init__ checks
        head.to(dev).eval()
        logits = predict_logits(head, emb.data, batch_size or GPU_BATCH_SIZE, dev, "float32")
        return logits.numpy().reshape(len(emb.data), len(self.classes_))

    def _check_amplitude(self, windows: np.ndarray) -> None:
        """Warn when the windows' typical amplitude is :data:`AMPLITUDE_RATIO` times that of the
        training data or more (or as many times less): data in another unit than the training
        data's (microvolts beside volts differ by 1e6). Probes saved before the training data's
        amplitude was recorded are not checked."""
        trained = self.training.get("typical_amplitude")
        now = typical_amplitude(windows)
        if not trained or not now or 1 / AMPLITUDE_RATIO < now / trained < AMPLITUDE_RATIO:
            return
        _warn(
            f"these data's typical amplitude is {now / trained:.2e} times that of the probe's "
            f"training data (standard deviation {now:.2e} against {trained:.2e} in the model's "
            "units), so the two are probably in different units (microvolts and volts differ "
            "by 1e6): the probe's predictions on them mean little. Give the data in the unit "
            "the training data were in (units= for arrays, --rescale on the command line), or "
            "train the probe again on correctly scaled data (see the training warnings: "
            "probe.training['warnings'], eegpt info PROBE)."
        )

    @keywords_of(_predicting)
    def predict_proba(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Class probabilities ``[n_windows, n_classes]`` (softmax of the logits).

        Not calibrated: the paper recipe's max-norm of 0.25 on the output layer keeps the
        logits small, so the probabilities are strongly underconfident (a probe 97.5%
        accurate gave its predicted class 0.58 on average). Rankings (AUROC, the predicted
        class) are unaffected; thresholds and probabilities reported as such are not.
        Calibrate on held-out data first, e.g. scikit-learn's ``CalibratedClassifierCV`` on
        the embeddings, or temperature scaling of :meth:`decision_function`.

        Parameters
        ----------
        data : mne.Epochs | mne.io.Raw | str | Path | ndarray | Embeddings
            Epochs (one window each); :class:`~eegpt.outputs.Embeddings` made as the probe's
            training data were (a stream's, :meth:`online`; others are refused, naming the
            difference: preprocessing, channels, encoder); or a continuous recording cut into windows
            of the probe's window length, window ``k`` starting ``start_seconds + k *
            window_seconds`` seconds after its first sample (its ``preprocessing``; to start a
            recording's windows elsewhere, predict with a copy of the probe whose
            ``preprocessing`` has that ``start_seconds``; see :meth:`windows` and
            :meth:`window_onsets`).
        ch_names, sfreq, units
            For arrays only: channel names, sampling rate (Hz) and amplitude unit (``"V"``,
            the default, ``"mV"`` or ``"uV"``, any letter case), as in :func:`eegpt.embed`.
        rename : dict | str | path-like | None
            Channel renames, as in training (:func:`train_probe`); None applies the
            probe's own (:attr:`rename`).
        keep : str | list of str | None
            The channels to keep, as in training; it must keep every channel the probe was
            trained on (see :meth:`windows`). None: the probe's own.
        overlap : float | None
            Seconds between consecutive windows of a continuous recording (default none:
            consecutive windows): ``window_seconds - overlap`` apart, sliding-window
            predictions offline, as :meth:`online` gives them live
            (``probe.predict_proba(raw, overlap=3.5)``: one row every 0.5 s of 4 s windows,
            window ``k`` at ``probe.window_onsets(n, overlap=3.5)[k]``); see :meth:`windows`.
        annotations : str | path-like | mne.Annotations | None
            More annotations of a continuous recording, as :func:`eegpt.embed` takes them:
            with its own, those marked bad tell ``reject_by_annotation``'s spans.
        reject_by_annotation : bool
            The windows over annotations marked bad are to be left out by the caller (their
            rows are still returned: row ``k`` is window ``k``): NaN/Inf samples that all lie
            inside those annotations are then filled as :func:`eegpt.embed` fills them, not
            refused (see :meth:`windows`); ``eegpt probe predict --reject-by-annotation``.
        verbose : bool | str | int | None
            As MNE's: ``"error"`` silences eegpt's warnings.
        device : str | torch.device | None
            Where the model runs (None: CUDA if available, else CPU).
        precision, stream_precision : {"float32", "bfloat16", "float16"}
            Numeric precision of the forward pass, and of a frozen encoder's residual stream
            under a reduced ``precision`` (:class:`~eegpt.engine.InferenceEngine`).
        batch_size : int | None
            Windows per forward pass (None: chosen for the device).
        cache : EmbeddingCache | str | path-like | bool | None
            Embedding cache for a frozen encoder (see :func:`embed_windows`; ``True``: the
            process-wide in-memory one); False (the default) computes the embeddings.

        Returns
        -------
        ndarray, shape (n_windows, n_classes), float
            Each row sums to 1; columns in the order of :attr:`classes_`. One row per epoch,
            per window of a continuous recording, or per window of ``data`` given as
            Embeddings.
        """
        logits = self.decision_function(data, **kwargs)
        return row_softmax(logits)

    @keywords_of(_predicting)
    def predict(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Predicted labels, one per epoch or per window of a continuous recording.

        Parameters
        ----------
        data : mne.Epochs | mne.io.Raw | str | Path | ndarray | Embeddings
            As for :meth:`predict_proba`.
        ch_names, sfreq, units, rename, keep, overlap, annotations, reject_by_annotation, \
verbose, device, precision, stream_precision, batch_size, cache
            As for :meth:`predict_proba`.

        Returns
        -------
        ndarray, shape (n_windows,)
            The class of :attr:`classes_` with the highest probability of each window.
        """
        return self.classes_[self.predict_proba(data, **kwargs).argmax(axis=1)]

    @keywords_of(_evaluating)
    def evaluate(self, data: Any, y: Any = None, **kwargs: Any) -> dict[str, Any]:
        """:func:`probe_metrics` on labelled epochs (``y=None``: labels from Epochs events); the
        other parameters are those of :meth:`predict_proba`.

        Labels lacking some of the probe's classes (e.g. all of one class) are warned about,
        and the warning is kept in the result's ``"warnings"`` (a list, present only then):
        the balanced accuracy of one class is 1.0 for a probe that always predicts it.

        Test files with the same contents as the probe's training or validation inputs are
        warned about too (the metrics are not a held-out estimate), and named in
        ``"overlaps_training"`` (present only then; probes that record their training
        inputs): ``data`` given as paths compared with inputs given as paths (whole files).
        Where either side is epochs in memory, only their file is known, not which of its
        epochs they are (``e[80:]`` tested, ``e[:80]`` trained on, from one file, is a
        legitimate design): the warning says the file is the same and the epochs may differ,
        and the file is named in ``"shares_file_with_training"`` instead. ``mne.Epochs`` in
        memory whose files MNE knows have each of those files fingerprinted as a path is:
        epochs read from a ``-epo.fif``
        (``epochs.filename``), and epochs cut from a Raw read from files (``raw.filenames``:
        every file of ``mne.concatenate_raws``) while they still hold it (MNE lets go of the
        Raw once the epochs are loaded: ``preload=True`` or ``epochs.load_data()``). Inputs
        with no known file are not checked: arrays, epochs made in memory
        (``mne.EpochsArray``), and epochs cut from a Raw and loaded. The files are
        fingerprinted as they are on disk now: epochs filtered or cropped in memory since they
        were read still count as the file's. (A continuous Raw is refused: evaluation needs
        epochs.)

        A test file of a subject the probe was trained on, in another file (its path's BIDS
        ``sub-LABEL`` or TUH patient among those of the recorded training inputs' names:
        :func:`eegpt.probe_provenance.subject_overlap_text`), is warned about as well
        (subject-level leakage), the warning kept in ``"warnings"``."""
        self._refuse_continuous(data)
        overlap = self._training_overlap(data)  # before predicting, which may load the epochs
        proba = self.predict_proba(data, **kwargs)
        labels = self._known_labels(data, y, len(proba))
        pred = self.classes_[proba.argmax(axis=1)]
        metrics: dict[str, Any] = probe_metrics(labels, pred, proba, self.classes_)
        checked_metrics(metrics, labels, self.classes_)
        for found in overlap:
            said = overlap_text(*found)
            _warn(said)
            metrics.setdefault("warnings", []).append(said)
        subjects = subject_overlap_text(  # the same subject in other files
            self.training, self._tested_files(data)[0], [o.name for o in overlap]
        )
        if subjects is not None:
            _warn(subjects)
            metrics.setdefault("warnings", []).append(subjects)
        whole = [o.name for o in overlap if not o.same_file_only]
        shared = [o.name for o in overlap if o.same_file_only]
        if whole:
            metrics["overlaps_training"] = whole
        if shared:
            metrics["shares_file_with_training"] = shared
        return metrics

    @staticmethod
    def _tested_files(data: Any) -> tuple[list[str], list[bool]]:
        """The files of ``data`` (a path, an MNE object or a list of them): paths as given,
        MNE objects by the files they were read from (:func:`known_files`), each with whether
        it stands for epochs in memory."""
        items = data if isinstance(data, (list, tuple)) else [data]
        paths: list[str] = []
        in_memory: list[bool] = []
        for item in items:
            if isinstance(item, (str, os.PathLike)):
                paths.append(str(item))
                in_memory.append(False)
            elif isinstance(item, (mne.io.BaseRaw, mne.BaseEpochs)):
                files = known_files(item)
                paths += files
                in_memory += [True] * len(files)
        return paths, in_memory

    def _training_overlap(self, data: Any) -> list[Overlap]:
        """The files among ``data`` (a path, an MNE object or a list of them) with the contents
        of a training or validation input (:func:`eegpt.probe_provenance.training_overlap`):
        paths as given, MNE objects by the files they were read from
        (:func:`eegpt.probe_provenance.known_files`: the file only, not which epochs)."""
        paths, in_memory = self._tested_files(data)
        if not paths or not isinstance(self.training.get("inputs"), list):
            return []
        early_stopping = self.config.patience is not None
        return training_overlap(self.training, files_record(paths), in_memory, early_stopping) or []

    # ---------------------------------------------------------------- figures
    # learning curves (eegpt.viz.plot_training), bound to this probe
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        plot_training = eegpt.viz.plot_training
    else:
        plot_training = function_method("eegpt.viz", "plot_training")

    def plot_confusion_matrix(
        self,
        data: Any,
        y: Any = None,
        *,
        labels: Any = None,
        normalize: str | None = None,
        ax: Any = None,
        title: str | None = None,
        show: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Confusion matrix of the predictions on labelled epochs (``y=None``: labels from
        Epochs events), classes in the order of ``labels`` (default: ``classes_``):
        :func:`eegpt.viz.plot_confusion_matrix`. ``kwargs`` go to :meth:`predict_proba`."""
        from eegpt.viz import plot_confusion_matrix

        self._refuse_continuous(data)
        pred = self.predict(data, **kwargs)
        truth = self._known_labels(data, y, len(pred))
        order = self.classes_ if labels is None else labels
        return plot_confusion_matrix(truth, pred, labels=order, normalize=normalize,
                                     ax=ax, title=title, show=show,
                                     pretrained=self.encoder.get("pretrained"))  # fmt: skip

    def _known_labels(self, data: Any, y: Any, n: int) -> np.ndarray:
        """The true labels of ``data`` as classes of this probe; unknown labels raise."""
        labels = as_classes(labels_of(data, y, n), self.classes_)
        unknown = sorted(set(labels.tolist()) - set(self.classes_.tolist()), key=str)
        if unknown:
            hint = unknown_labels_hint(unknown, self.classes_, data)
            rename = event_names_hint(self.classes_)
            if y is None and not hint:  # the epochs' event names
                hint = (
                    ": without y, the labels are the epochs' event names (epochs.event_id); "
                    "pass y in the probe's classes"
                    + (f", or name the events as the classes ({rename})" if rename else "")
                )
            raise ValueError(
                f"labels {unknown} are not among the probe's classes {self.classes_.tolist()}"
                + hint
            )
        return labels

    # ---------------------------------------------------------------- persistence
    def save(self, directory: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write ``probe.safetensors`` and ``probe.json`` into ``directory``.

        A frozen probe stores its head (and projection) only, plus the encoder reference; a
        fine-tuned one stores the whole model. Files are written atomically.
        """
        directory = Path(directory).expanduser()
        if directory.exists() and not directory.is_dir():
            raise FileExistsError(f"{directory} exists and is not a folder")
        if (directory / PROBE_JSON).exists() and not overwrite:
            raise FileExistsError(
                f"{directory} already holds a probe; pass overwrite=True (--overwrite)"
            )
        state = {
            k: v.detach().to("cpu", torch.float32).contiguous().clone()
            for k, v in self.model.state_dict().items()
            if not (self.frozen_encoder and k.startswith("target_encoder."))
        }
        meta = {
            "format": PROBE_FORMAT,
            "format_version": PROBE_FORMAT_VERSION,
            "eegpt_version": __version__,
            "software": software_versions(),  # those that can change the numbers
            **command_record(),
            "frozen_encoder": self.frozen_encoder,
            "classes": [_jsonable(c) for c in self.classes_.tolist()],
            "probe": self.config.to_dict(),
            "n_times": self.n_times,
            "preprocessing": self.preprocessing.to_dict(),
            "channels": {
                "input_names": list(self.input_names),
                "encoder_names": list(self.encoder_names),
                "encoder_chan_ids": list(self.chan_ids),
                "rename": self.rename,
                "keep": self.keep,
            },
            "encoder": self.encoder,
            "training": self.training,
            "history": self.history,
        }
        directory.mkdir(parents=True, exist_ok=True)
        blob = _dump_safetensors(state, {"format": "pt"})
        atomic_write(directory / PROBE_WEIGHTS, lambda fh: fh.write(blob))
        text = json.dumps(meta, indent=2, allow_nan=True) + "\n"
        atomic_write(directory / PROBE_JSON, lambda fh: fh.write(text.encode()))
        return directory

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike,
        model: EEGPT | EEGPTEncoder | str | os.PathLike | None = None,
        *,
        device: str | torch.device = "cpu",
        verbose: Verbose = None,
    ) -> EEGPTProbe:
        """See :func:`load_probe`."""
        return load_probe(directory, model, device=device, verbose=verbose)


def _keep_list(keep: str | Sequence[str]) -> list[str]:
    """``keep`` as the list of its items (``"10-20,-C3"`` -> ``["10-20", "-C3"]``), as a probe
    records it."""
    items = keep.split(",") if isinstance(keep, str) else list(keep)
    return [str(item).strip() for item in items if str(item).strip()]


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    input_keys = {"ch_names", "sfreq", "units", "rename", "keep", "overlap", "verbose",
                  "annotations", "reject_by_annotation"}  # fmt: skip
    run_keys = {"device", "precision", "batch_size", "cache", "stream_precision"}
    unknown = sorted(set(kwargs) - input_keys - run_keys)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {unknown}")
    check_batch_size(kwargs.get("batch_size"))  # before any input is read
    return (
        {k: v for k, v in kwargs.items() if k in input_keys},
        {k: v for k, v in kwargs.items() if k in run_keys},
    )


def row_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def training_model(
    encoder: EEGPTEncoder,
    train: Any,
    classes: np.ndarray,
    preprocessing: PreprocessingConfig,
    config: ProbeConfig,
    device: torch.device,
) -> EEGPT:
    """The model :func:`train_probe` and :func:`eegpt.finetune` train: ``encoder`` (shared or a
    copy, as the caller decides) with the head, and the channel projection if configured, for
    ``train``'s channels and ``classes``, on ``device``."""
    return _assemble(
        encoder,
        n_classes=len(classes),
        n_times=preprocessing.n_samples,
        chan_ids=[CHANNEL_INDEX[name] for name in train.encoder_names],
        config=config,
        n_inputs=len(train.input_names),
    ).to(device)


def trained_probe(
    net: EEGPT,
    fit: Any,
    train: Any,
    val: tuple[Any, np.ndarray] | None,
    classes: np.ndarray,
    config: ProbeConfig,
    preprocessing: PreprocessingConfig,
    *,
    encoder: dict[str, Any],
    frozen_encoder: bool,
    rename: Any,
    seconds: float,
    keep: str | Sequence[str] | None = None,
    device: torch.device,
    precision: str,
    **facts: Any,
) -> EEGPTProbe:
    """The :class:`EEGPTProbe` of a training run (:func:`train_probe`, :func:`eegpt.finetune`):
    ``net`` in eval mode, ``fit``'s history, and the run's facts in ``training`` (``facts``
    added to the common ones)."""
    return EEGPTProbe(
        net.eval(),
        classes=classes,
        config=config,
        preprocessing=preprocessing,
        input_names=train.input_names,
        encoder_names=train.encoder_names,
        encoder=encoder,
        frozen_encoder=frozen_encoder,
        history=fit.history,
        rename=rename,
        keep=keep,
        training={
            "n_train": int(len(train.y)),
            "n_validation": 0 if val is None else int(len(val[1])),
            # each class's epochs: those of training and of validation
            "class_counts": {
                "train": class_counts(train.y, classes),
                **({} if val is None else {"validation": class_counts(val[1], classes)}),
            },
            "epochs_run": len(fit.history),
            "best_epoch": fit.best_epoch,
            "kept_epoch": fit.kept_epoch,
            "stopped_early": fit.stopped_early,
            "input_shape": list(getattr(train, "input_shape", (0, 0))),
            "typical_amplitude": typical_amplitude(train.windows),
            "epochs_baseline": _baseline_record(getattr(train, "baseline", None)),
            # epochs.detrend of the training epochs, where known (epochs made in memory)
            **(
                {"epochs_detrend": train.detrend}
                if getattr(train, "detrend_recorded", False)
                else {}
            ),
            **facts,
            "seconds": round(seconds, 3),
            "device": str(device),
            # on CPU another thread count changes the weights' last bits (RELIABILITY.md)
            "torch_threads": torch.get_num_threads(),
            "precision": precision,
        },
    )


@recording_training_warnings
@honours_verbose
def train_probe(
    model: EEGPT | EEGPTEncoder,
    data: Any = None,
    y: Any = None,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    config: ProbeConfig | None = None,
    validation: float | tuple[Any, Any] | None = None,
    groups: Any = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    cache: EmbeddingCache | str | os.PathLike | bool | None = True,
    progress: bool = False,
    verbose: Verbose = None,
    stream_precision: Precision = "float32",
    keep: str | Sequence[str] | None = None,
    **overrides: Any,
) -> EEGPTProbe:
    """Train a linear probe on a frozen EEGPT encoder (the paper's recipe by default).

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        The pretrained model (e.g. from :func:`eegpt.load_model`); only its encoder is used, and
        it is never modified. Training runs it on ``device`` and leaves it where it was; the
        probe shares it, so the probe's predictions move it to their device.
    data : mne.Epochs | str | Path | ndarray | list
        Labelled epochs, each one model window: an ``mne.Epochs``, a ``-epo.fif`` file, or an
        array ``[n_epochs, n_channels, n_times]`` with ``ch_names``, ``sfreq`` and ``units``;
        or a list of Epochs or files (sessions, sites: their channels are matched by
        electrode, their rates resampled alike).
        After resampling to ``preprocessing.sfreq`` an epoch must have the window length (4 s at
        256 Hz by default; MNE's ``tmax`` is inclusive, so use ``tmax = tmin + 4 - 1 / sfreq``).
    y : array-like, shape (n_epochs,) | None
        Class labels (any hashable values); ``None`` takes the event names of an ``mne.Epochs``.
    ch_names, sfreq, units
        For arrays only: channel names, sampling rate in Hz and amplitude unit.
    rename : dict | str | path-like | None
        Channel-name overrides for :func:`~eegpt.channels.map_channels` (no projection): a
        dict, a cap's or a dataset's name (``"bci-iv-2a"``) or a table file, whose labels the
        epochs may have only some of.
    keep : str | sequence of str | None
        Train on these vocabulary channels only (after ``rename``), as for
        :func:`~eegpt.channels.map_channels`: ``"10-20"``, names, or both, ``-NAME`` removing
        one (command line: ``--keep-channels``). Files of several systems are matched on
        them, and the average reference runs over them. The probe records it
        (:attr:`EEGPTProbe.keep`) and applies it when predicting and evaluating, so a
        recording with more channels gives the same ones. Not with ``chan_proj``.
    preprocessing : PreprocessingConfig | None
        Resampling, reference, scale and window length (default 256 Hz, 4 s, millivolts).
        ``start_seconds`` and ``overlap`` do not apply to epochs (a warning says so): the
        probe records 0 (:func:`trained_on_epochs`; predictions take an overlap of their own,
        :meth:`EEGPTProbe.predict_proba`).
    config : ProbeConfig | None
        Architecture and recipe; ``**overrides`` replace single fields, e.g. ``epochs=50``,
        ``chan_proj=True``, ``seed=1``.
    validation : float | (data, y) | None
        Held-out data scored after every epoch (``history``): a fraction of ``data`` split off
        per class with the seed, or separate epochs in the same format as ``data``. Without
        ``groups`` a fraction splits the epochs at random: epochs of one subject (recording)
        fall on both sides, so its scores flatter the probe wherever ``data`` holds several
        subjects, also in one Epochs object or array (a warning says so for a list of
        recordings, and for one Epochs object whose ``epochs.metadata`` has a subject column
        naming two or more subjects, such as ``subject``; not for arrays, which carry no
        subjects); give ``groups``, or held-out recordings as
        ``(held_out_data, held_out_y)``, to validate across subjects. How validation was
        chosen is recorded in ``training["validation"]``.
    groups : array-like, shape (n_epochs,) | None
        With a ``validation`` fraction: one value per epoch (e.g. subject ids); the fraction
        then holds out whole groups (as near that fraction of each class's epochs as the
        groups allow; the seed chooses among groupings about as near:
        :func:`~eegpt.training.group_split`). The share realised is recorded
        (``training["validation"]["realised_fraction"]``) and warned of when more than 0.1
        from the fraction. Needs at least 2 groups.
    device : str | torch.device | None
        ``None`` picks CUDA when available.
    precision : {"float32", "bfloat16", "float16"}
        Encoder precision (autocast); float16 needs CUDA.
    stream_precision : {"float32", "float16", "bfloat16"}
        With a reduced ``precision``, the dtype the frozen encoder's residual stream is stored
        in between blocks (:class:`~eegpt.engine.InferenceEngine`); recorded in the probe's
        ``training`` when not float32. Not with ``chan_proj``, whose encoder runs under
        autocast.
    cache : EmbeddingCache | str | Path | bool | None
        Embedding cache for the frozen encoder without projection (see :func:`embed_windows`);
        training again on the same data and encoder then skips the encoder.
    progress : bool
        Progress bars over the encoder pass and the training batches of all passes.
    verbose : bool | str | int | None
        Log channel mapping, preprocessing and a training summary; ``"error"`` also silences
        eegpt's warnings for this call (the probe's ``training["warnings"]`` keeps them).

    Returns
    -------
    EEGPTProbe

    Raises
    ------
    ValueError
        Bad data or labels (fewer than 2 classes, labels not matching epochs), channels that do
        not map, epochs of the wrong length, unknown ``overrides``.

    Warns
    -----
    EEGPTWarning
        When a class has fewer than :data:`~eegpt.training.FEW_EPOCHS` (5) training epochs,
        or (unless ``class_weight="balanced"``) the largest has more than
        :data:`~eegpt.training.IMBALANCE_RATIO` (3) times the epochs of the smallest
        (:func:`~eegpt.training.class_balance_warning`).
    """
    import time

    config = config or ProbeConfig()
    check_training_data(data, overrides.get("epochs", config.epochs), "train_probe")
    preprocessing_fields = sorted(set(overrides) & set(PreprocessingConfig.__dataclass_fields__))
    if preprocessing_fields:
        name = preprocessing_fields[0]
        raise TypeError(
            f"train_probe: {name} is a preprocessing setting, not one of the probe's: pass "
            f"preprocessing=PreprocessingConfig({name}={overrides[name]!r})"
        )
    if overrides:
        config = config.replace(**overrides)
    preprocessing = preprocessing or PreprocessingConfig()
    encoder = encoder_of(model)
    dev = resolve_device(device)
    precision = check_precision(precision, dev)
    stream_precision = precision_name(stream_precision, "stream_precision")
    if config.chan_proj:  # autocast; the frozen encoder's engine warns of its own
        warn_if_emulated_bf16(precision, dev)
    if stream_precision != "float32" and config.chan_proj:
        raise ValueError(
            f"stream_precision={stream_precision!r} (--stream-precision) applies to the frozen "
            "encoder's embeddings, but a probe with a channel projection (chan_proj, "
            "--chan-proj) runs the encoder under autocast; leave stream_precision float32"
        )
    if keep is not None:
        kept_channels(keep)  # an unknown name is an error before any file is read
        if config.chan_proj:
            raise ValueError(
                f"keep={_keep_list(keep)} (--keep-channels) restricts the vocabulary channels "
                "the encoder gets, but a channel projection (chan_proj, --chan-proj) learns "
                "from the input channels by name: leave channels out with rename={NAME: None} "
                "(--drop NAME) instead"
            )
    common: dict[str, Any] = dict(
        ch_names=ch_names,
        sfreq=sfreq,
        units=units,
        rename=rename,
        preprocessing=preprocessing,
        config=config,
        verbose=verbose,
        keep=keep,
    )
    # the files of the data in memory, before preparing them may load epochs cut from a Raw
    # (which lets go of the Raw that names their file)
    held = files_held(data)
    train, val, classes, chosen = split_training_data(
        data, y, validation, config.seed, groups, **common
    )
    preprocessing = trained_on_epochs(preprocessing)
    if config.patience is not None and val is None:
        raise ValueError("patience (early stopping) needs validation data: pass validation=")
    balance = class_balance_warning(train.y, classes, config.class_weight)
    if balance:
        _warn(balance)

    chan_ids = [CHANNEL_INDEX[name] for name in train.encoder_names]
    schedule: dict[str, Any] = dict(
        epochs=config.epochs,
        batch_size=config.batch_size,
        weight_decay=config.weight_decay,
        pct_start=config.pct_start,
        patience=config.patience,
        seed=config.seed,
        device=dev,
        progress=progress,
        class_weight=(
            balanced_class_weights(train.y, len(classes))
            if config.class_weight == "balanced"
            else None
        ),
    )
    t0 = time.perf_counter()
    home = next(encoder.parameters()).device  # the caller's model stays where it was
    z_train: np.ndarray | None = None  # the frozen embeddings, where the head is fit on them
    try:
        with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
            torch.manual_seed(config.seed)
            encoder.to(dev).eval()
            probe_model = training_model(encoder, train, classes, preprocessing, config, dev)
            head = probe_model.final_layer
            assert head is not None
            if config.chan_proj:
                assert probe_model.chan_proj is not None
                params = list(probe_model.chan_proj.parameters()) + list(head.parameters())
                ids = torch.as_tensor(chan_ids, dtype=torch.long, device=dev)

                def forward(x: torch.Tensor) -> torch.Tensor:
                    return probe_model(x, ids)

                with training_mode(encoder, trainable=None):
                    fit = fit_model(
                        forward,
                        [probe_model.chan_proj, head],
                        [{"params": params, "max_lr": config.max_lr, "role": "head"}],
                        train.windows,
                        train.y,
                        val,
                        **schedule,
                        precision=precision,
                        desc="probe (with channel projection)",
                    )
            else:
                embed: dict[str, Any] = dict(
                    device=dev,
                    precision=precision,
                    stream_precision=stream_precision,
                    cache=cache,
                    preprocessing=preprocessing,
                    progress=progress,  # the encoder pass: the slow part with the large encoder
                )
                # the model, not its encoder: a loaded one's noted fingerprint spares hashing
                z_train = embed_windows(model, train.windows, chan_ids, **embed)
                z_val = None
                if val is not None:
                    z_val = (embed_windows(model, val[0], chan_ids, **embed), val[1])
                fit = fit_model(
                    head,
                    [head],
                    [{"params": list(head.parameters()), "max_lr": config.max_lr, "role": "head"}],
                    z_train,
                    train.y,
                    z_val,
                    **schedule,
                    precision="float32",
                    desc="linear probe",
                )
    finally:
        encoder.to(home)
    probe = trained_probe(
        probe_model, fit, train, val, classes, config, preprocessing,
        encoder=encoder_reference(model), frozen_encoder=True, rename=rename, keep=keep,
        seconds=time.perf_counter() - t0, device=dev, precision=precision, validation=chosen,
        inputs=data_record(data, held),
        # absent for float32, as in probes from before the option
        **({} if stream_precision == "float32" else {"stream_precision": stream_precision}),
    )  # fmt: skip
    kept = fit.history[fit.kept_epoch - 1] if fit.kept_epoch else None
    _warn_random_at_chance(probe.encoder.get("pretrained"), kept, len(classes), z_train)
    last = fit.history[-1] if fit.history else {}
    _log(
        f"trained {probe!r} on {len(train.y)} epochs in {probe.training['seconds']:.1f} s: "
        + ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "epoch"),
        verbose,
    )
    return probe


UNSCALED_SPREAD = 0.01
"""The median over features of std / |mean| of the embeddings below which the chance warning
says they vary little around their mean (unscaled features)."""


def _warn_random_at_chance(
    pretrained: bool | None,
    row: Mapping[str, float] | None,
    n_classes: int,
    features: np.ndarray | None = None,
) -> None:
    """Warn where a probe on an encoder with random weights (``pretrained`` False: ``eegpt
    demo``, ``save_checkpoint(EEGPT('tiny2'), ...)``) ended at chance: the balanced accuracy
    of the pass whose weights it kept (``row``: that pass's history row; on the validation
    epochs, else on the training epochs) within 0.05 of 1 / K.
    Such embeddings need not carry what tells the classes apart, so chance is the expected
    result, not a sign that the probe or the data are wrong; but they may carry it and the
    probe miss it, on features that vary little around a large mean (unscaled): the warning
    names the scaler check (StandardScaler + LogisticRegression) and, given the training
    embeddings ``features`` (``[n_windows, ...]``), says where their median std / |mean| over
    features is below :data:`UNSCALED_SPREAD`."""
    if pretrained is not False or not row or n_classes < 2:
        return
    key = "val_balanced_accuracy" if "val_balanced_accuracy" in row else "train_balanced_accuracy"
    if key not in row:
        return
    reached, chance = float(row[key]), 1.0 / n_classes
    if reached > chance + 0.05:
        return
    scale = ""
    if features is not None and len(features) > 1:
        flat = np.asarray(features).reshape(len(features), -1)
        mean = np.abs(flat.mean(axis=0, dtype=np.float64))
        spread = float(np.median(flat.std(axis=0, dtype=np.float64) / (mean + 1e-12)))
        if spread < UNSCALED_SPREAD:
            scale = (
                f"These embeddings vary little around their mean (median std / |mean| over "
                f"features {spread:.2g}). "
            )
    _warn(
        f"the probe stayed at chance ({key.replace('_', ' ')} {reached:.2f}, chance "
        f"{chance:.2f}): the encoder's weights are random, NOT pretrained, and a random "
        "encoder's embeddings need not carry what tells the classes apart (under the average "
        "reference it cancels a response common to all channels: examples/linear_probe.md). "
        "Use pretrained weights (eegpt fetch eegpt-large) for results that mean something. "
        f"{scale}The linear probe takes the embeddings unscaled (weights of bounded norm): where "
        "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)) on the same "
        "embeddings (emb.pooled()) separates the classes, they hold the difference and the "
        "probe misses it on unscaled features"
    )


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _recorded_encoder(directory: Path, meta: Mapping[str, Any]) -> str:
    """Where the encoder a frozen probe was trained on is found again: the checkpoint file it
    was loaded from, where it still is; else the pretrained weights' name it was fetched by
    (``eegpt-large``: downloaded or found in the cache on any machine). An anonymized copy
    names the file by its last component alone, which is never looked up in the current
    folder (another file may have that name there). The caller checks the weights'
    fingerprint either way."""
    ref = meta["encoder"]
    path, name = ref.get("path"), ref.get("pretrained_name")
    local = bool(path) and (Path(path).is_absolute() or not meta.get("anonymized"))
    if local and Path(path).exists():
        return str(path)
    if name:
        return str(name)
    give = (
        "give the encoder's weights: --weights PATH on the command line, "
        "load_probe(folder, model_or_path) in Python"
    )
    if not path:
        raise MissingFileError(
            f"the probe in {directory} was trained on an encoder that was not loaded from a "
            "checkpoint file; pass that encoder: load_probe(folder, model)"
        )
    if not local:
        raise MissingFileError(
            f"the probe in {directory} is an anonymized copy, which names the encoder it was "
            f"trained on by its file name alone ({path}, weights SHA-256 "
            f"{str(ref.get('weights_sha256'))[:16]}...); {give}"
        )
    raise MissingFileError(
        f"the probe in {directory} was trained on the encoder {path}, which is not there "
        f"(moved, or another machine); {give}"
    )


def load_probe(
    directory: str | os.PathLike,
    model: EEGPT | EEGPTEncoder | str | os.PathLike | None = None,
    *,
    device: str | torch.device = "cpu",
    verbose: Verbose = None,
) -> EEGPTProbe:
    """Read a probe written by :meth:`EEGPTProbe.save`.

    Parameters
    ----------
    directory : str | Path
        Folder with ``probe.json`` and ``probe.safetensors``.
    model : EEGPT | EEGPTEncoder | str | Path | None
        For a frozen probe: the encoder it was trained on, as a model or a checkpoint path/name
        for :func:`eegpt.load_model`; ``None`` loads the checkpoint path recorded at training.
        Ignored for fine-tuned probes (their encoder is saved with them).
    device : str | torch.device
        Where the probe's model is put: ``"cpu"`` (the default, as for
        :func:`eegpt.load_model`), ``"cuda"``, ``"auto"`` ... Its methods that run it
        (:meth:`~EEGPTProbe.predict`, :meth:`~EEGPTProbe.predict_proba`,
        :meth:`~EEGPTProbe.evaluate`) take a ``device`` of their own whose default, ``None``
        (``"auto"``), runs it on a CUDA GPU where PyTorch sees one: loading needs no GPU.
    verbose : bool | None
        See :func:`eegpt.load_model`.

    Raises
    ------
    EncoderMismatchError
        The encoder's weights differ from the ones the probe was trained on (compared through
        :func:`encoder_fingerprint`, so a converted copy of the same checkpoint is accepted).
    FileNotFoundError
        No probe in ``directory``, or no encoder given and the recorded checkpoint is gone.
    """
    from eegpt.checkpoints import load_model

    device = resolve_device(device)  # as embed's: DeviceUnavailableError, "auto", "gpu"
    directory = Path(directory).expanduser()
    meta = _read_probe_json(directory)
    state = _load_safetensors(str(directory / PROBE_WEIGHTS))
    config = _stored_settings(ProbeConfig.from_dict, meta["probe"], directory, "probe")
    ref = meta["encoder"]
    frozen = bool(meta["frozen_encoder"])
    if frozen:
        if model is None:
            model = _recorded_encoder(directory, meta)
        if isinstance(model, (str, os.PathLike)):
            model = load_model(model, device="cpu", verbose=verbose)
        found = encoder_fingerprint(model)
        if found != ref["weights_sha256"]:
            info = dict(getattr(model, "checkpoint_info", None) or {})
            raise EncoderMismatchError(
                f"the probe in {directory} was trained on the encoder with weights SHA-256 "
                f"{ref['weights_sha256'][:16]}... (checkpoint {ref.get('path')}, file sha256 "
                f"{(ref.get('sha256') or 'unknown')[:16]}), but the encoder given has weights "
                f"SHA-256 {found[:16]}... (checkpoint {info.get('path')}, file sha256 "
                f"{(info.get('sha256') or 'unknown')[:16]}). Pass the encoder it was trained on."
            )
        encoder = encoder_of(model)
    else:
        stored = _stored_settings(EEGPTConfig.from_dict, ref["config"], directory, "encoder")
        encoder = EEGPTEncoder(stored)
    channels = meta["channels"]
    probe_model = _assemble(
        encoder,
        n_classes=len(meta["classes"]),
        n_times=int(meta["n_times"]),
        chan_ids=channels["encoder_chan_ids"],
        config=config,
        n_inputs=len(channels["input_names"]),
    )
    expected = {
        k for k in probe_model.state_dict() if not (frozen and k.startswith("target_encoder."))
    }
    if set(state) != expected:
        raise ValueError(
            f"{directory / PROBE_WEIGHTS} does not fit the probe in {PROBE_JSON}: missing "
            f"{sorted(expected - set(state))}, unexpected {sorted(set(state) - expected)}"
        )
    probe_model.load_state_dict(state, strict=False)
    if not frozen:
        probe_model.checkpoint_info = tuned_checkpoint_info(ref)  # type: ignore[assignment]
        mark_loaded_weights(probe_model)
    return EEGPTProbe(
        probe_model.to(device).eval(),
        classes=meta["classes"],
        config=config,
        preprocessing=_stored_settings(
            PreprocessingConfig.from_dict, meta["preprocessing"], directory, "preprocessing"
        ),
        input_names=channels["input_names"],
        encoder_names=channels["encoder_names"],
        encoder=ref,
        frozen_encoder=frozen,
        history=meta.get("history"),
        training=meta.get("training"),
        rename=channels.get("rename"),  # probes saved before it was kept: None
        keep=channels.get("keep"),  # likewise
    )


_Settings = TypeVar("_Settings")


def _stored_settings(
    parse: Callable[[Mapping[str, Any]], _Settings],
    values: Mapping[str, Any],
    directory: Path,
    section: str,
) -> _Settings:
    """``parse(values)``: settings ``section`` (``"encoder"``, ``"probe"``,
    ``"preprocessing"``) of the probe in ``directory`` as its ``probe.json`` records them. A
    value the settings refuse (``embed_dim`` not divisible by ``num_heads``, a negative
    ``depth``, an unknown key) raises a ``TypeError`` or ``ValueError`` as the field did,
    naming the file and keeping the field's own message: eegpt writes valid ones, so the
    folder is damaged or was written by another version."""
    try:
        return parse(values)
    except (TypeError, ValueError) as err:
        raise (TypeError if isinstance(err, TypeError) else ValueError)(
            f"{directory / PROBE_JSON}: its {section} settings are invalid ({err}). The probe "
            "folder is damaged or was written by another eegpt version (save it again with "
            "the version that trained it, or train it again)"
        ) from err


# --------------------------------------------------------------------------------------------
# Window predictions as scoring epochs
# --------------------------------------------------------------------------------------------


def scoring_epochs(
    proba: np.ndarray,
    onsets: np.ndarray,
    window_seconds: float,
    epoch_seconds: float,
    start_seconds: float = 0.0,
    use: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window predictions grouped into consecutive scoring epochs (a hypnogram's 30 s epochs).

    Epoch ``k`` spans ``[start_seconds + k * epoch_seconds, start_seconds + (k + 1) *
    epoch_seconds)``. Its probabilities are the mean of those of the windows that overlap it,
    each weighted by the seconds it overlaps the epoch: a window that straddles two epochs
    counts in both, by its share of each. The epochs run from the first (``k = 0``) to the
    last that a window overlaps; windows (or their parts) before ``start_seconds`` count in
    none.

    Parameters
    ----------
    proba : ndarray, shape (n_windows, n_classes)
        Each window's class probabilities (:meth:`EEGPTProbe.predict_proba`).
    onsets : ndarray, shape (n_windows,)
        Each window's onset in seconds (:meth:`EEGPTProbe.window_onsets`).
    window_seconds : float
        The windows' length in seconds.
    epoch_seconds : float
        The scoring epochs' length in seconds (> 0).
    start_seconds : float
        The first epoch's onset in seconds, on the time base of ``onsets``.
    use : ndarray of bool, shape (n_windows,) | None
        The windows to count (e.g. those over no bad annotation); None: all.

    Returns
    -------
    epoch_onsets : ndarray of float64, shape (n_epochs,)
        Each epoch's onset in seconds.
    covered : ndarray of float64, shape (n_epochs,)
        The seconds of each epoch that the windows counted cover (``epoch_seconds`` for an
        epoch within them; less at the end of a recording; 0 where no window counted).
    epoch_proba : ndarray of float64, shape (n_epochs, n_classes)
        Each epoch's weighted mean probabilities; NaN where ``covered`` is 0.
    """
    proba = np.asarray(proba, dtype=np.float64)
    onsets = np.asarray(onsets, dtype=np.float64)
    if proba.ndim != 2 or onsets.shape != (len(proba),):
        raise ValueError(
            f"proba must be [n_windows, n_classes] with one onset per window, got proba "
            f"{proba.shape} and onsets {onsets.shape}"
        )
    for name, value in (("window_seconds", window_seconds), ("epoch_seconds", epoch_seconds)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    use = np.ones(len(proba), bool) if use is None else np.asarray(use, bool)
    ends = onsets + window_seconds
    # epochs in epoch units from the start; a thousandth of a microsecond's slack for rounding
    first = np.floor((onsets - start_seconds) / epoch_seconds + 1e-9).astype(np.int64)
    last = np.ceil((ends - start_seconds) / epoch_seconds - 1e-9).astype(np.int64) - 1
    n_epochs = int(max(last.max(initial=-1) + 1, 0))
    weights = np.zeros(n_epochs)
    sums = np.zeros((n_epochs, proba.shape[1]))
    pieces = []  # (epoch, start, end) of each counted window's part in each epoch it overlaps
    for j in range(int(max((last - first).max(initial=-1) + 1, 0))):  # a window's j-th epoch
        k = first + j
        at = (k <= last) & (k >= 0)
        lo = np.maximum(onsets[at], start_seconds + k[at] * epoch_seconds)
        hi = np.minimum(ends[at], start_seconds + (k[at] + 1) * epoch_seconds)
        share = np.where(use[at], np.clip(hi - lo, 0.0, None), 0.0)
        np.add.at(weights, k[at], share)
        np.add.at(sums, k[at], share[:, None] * proba[at])
        pieces.append(np.stack([k[at], lo, hi])[:, share > 0])
    # the seconds covered: the union of the pieces in each epoch (overlapping windows count
    # once); sorted by start, a piece adds what lies beyond the furthest end before it, and
    # the epochs follow one another, so that end may run over all the pieces before
    covered = np.zeros(n_epochs)
    if pieces and (both := np.concatenate(pieces, axis=1)).size:
        k, lo, hi = both[:, np.argsort(both[1], kind="stable")]
        reach = np.concatenate([[-np.inf], np.maximum.accumulate(hi)[:-1]])
        np.add.at(covered, k.astype(np.int64), np.clip(hi - np.maximum(lo, reach), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        epoch_proba = np.where(weights[:, None] > 0, sums / weights[:, None], np.nan)
    epoch_onsets = start_seconds + np.arange(n_epochs) * float(epoch_seconds)
    return epoch_onsets, covered, epoch_proba
