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
nearest-neighbour stretch in the scripts (docs/recordings.md, "Reproducing the paper's
downstream preprocessing").

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

This module holds the probe itself (:class:`EEGPTProbe`: its windows, predictions, checks of
the data it is given, saving) and is the public entry to the rest, which lives in modules of
their own whose names stay importable from here:

* :mod:`eegpt.probe_config`: :class:`ProbeConfig`, the head's architecture and the recipe;
* :mod:`eegpt.probe_training`: :func:`train_probe`, and the steps fine-tuning shares with it;
* :mod:`eegpt.probe_loading`: :func:`load_probe`, a saved probe read back with its encoder;
* :mod:`eegpt.probe_encoder`: the reference a probe keeps to its encoder, and the model built
  around that encoder;
* :mod:`eegpt.probe_preparation`: the baseline and detrend of epochs, compared with the
  training data's;
* :mod:`eegpt.scoring_epochs`: :func:`scoring_epochs`, window predictions as a hypnogram's
  epochs;

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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import mne
import numpy as np
import numpy.typing as npt
import torch
from safetensors.torch import save as _dump_safetensors

from eegpt import __version__
from eegpt._logging import (
    Verbose,
    command_record,
    each_warning_once,
    few,
    honours_verbose,
)
from eegpt._logging import warn as _warn
from eegpt._methods import function_method, keywords_of
from eegpt.api import software_versions
from eegpt.array_inputs import Units
from eegpt.channels import (
    CAPS,
    CHANNEL_INDEX,
    ChannelRules,
    fitted_derivations_note,
    kept_channels,
    montage_spelling,
    normalize_channel_name,
    rename_table,
)
from eegpt.channels import rename_on_missing as rename_on_missing
from eegpt.config import precision_name
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
from eegpt.epochs_files import reads_as_epochs
from eegpt.errors import EncoderMismatchError, RecordingError
from eegpt.fingerprints import encoder_fingerprint, encoder_of, mark_loaded_weights
from eegpt.heads import LinearProbe
from eegpt.mne_inputs import epochs_labels
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.output_files import atomic_write, make_output_folder
from eegpt.preprocessing import PreprocessingConfig, map_recording_channels, prepare
from eegpt.probe_config import ProbeConfig as ProbeConfig
from eegpt.probe_encoder import encoder_reference as encoder_reference
from eegpt.probe_encoder import frozen_checkpoint_info
from eegpt.probe_encoder import tuned_checkpoint_info as tuned_checkpoint_info
from eegpt.probe_folder import PROBE_FORMAT as PROBE_FORMAT
from eegpt.probe_folder import PROBE_FORMAT_VERSION as PROBE_FORMAT_VERSION
from eegpt.probe_folder import PROBE_JSON as PROBE_JSON
from eegpt.probe_folder import PROBE_WEIGHTS as PROBE_WEIGHTS
from eegpt.probe_folder import describe_probe as describe_probe
from eegpt.probe_inputs import _needs_epochs, _projection_windows, keep_list
from eegpt.probe_inputs import as_epochs_recording as as_epochs_recording
from eegpt.probe_inputs import concatenate_epochs as concatenate_epochs
from eegpt.probe_inputs import is_epochs_list as is_epochs_list
from eegpt.probe_inputs import merge_epochs as merge_epochs
from eegpt.probe_inputs import merged_baseline as merged_baseline
from eegpt.probe_inputs import refuse_embeddings as refuse_embeddings
from eegpt.probe_inputs import subset_mapping as subset_mapping
from eegpt.probe_labels import _jsonable
from eegpt.probe_labels import as_classes as as_classes
from eegpt.probe_labels import check_label_types as check_label_types
from eegpt.probe_labels import event_names_hint as event_names_hint
from eegpt.probe_labels import labels_of as labels_of
from eegpt.probe_labels import unknown_labels_hint as unknown_labels_hint
from eegpt.probe_loading import load_probe as load_probe
from eegpt.probe_metrics import checked_metrics as checked_metrics
from eegpt.probe_metrics import evaluation_warning as evaluation_warning
from eegpt.probe_metrics import format_metrics as format_metrics
from eegpt.probe_metrics import probe_metrics as probe_metrics
from eegpt.probe_metrics import sklearn_metrics as sklearn_metrics
from eegpt.probe_preparation import (
    DETREND_ORDER,
    baseline_known,
    baseline_warning,
    detrend_known,
    detrend_said,
    event_tmin,
    merged_baseline_warnings,
    tmin_warning,
)
from eegpt.probe_provenance import (
    Overlap,
    files_record,
    known_files,
    overlap_names,
    overlap_warnings,
    training_overlap,
)
from eegpt.probe_training import UNSCALED_SPREAD as UNSCALED_SPREAD
from eegpt.probe_training import _warn_random_at_chance as _warn_random_at_chance
from eegpt.probe_training import train_probe as train_probe
from eegpt.probe_training import trained_probe as trained_probe
from eegpt.probe_training import training_model as training_model
from eegpt.recording import Recording
from eegpt.rename_tables import Rename
from eegpt.resampling import resampled_length
from eegpt.scoring_epochs import scoring_epochs as scoring_epochs
from eegpt.synthetic import SYNTHETIC_CHANNELS as SYNTHETIC_CHANNELS
from eegpt.synthetic import synthetic_erp_epochs as synthetic_erp_epochs
from eegpt.synthetic import synthetic_erp_raw as synthetic_erp_raw
from eegpt.training import (
    check_precision,
    predict_logits,
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
from eegpt.windowing import (
    crop_call,
    crop_epochs,
    crop_left_out_for_arrays,
    just_over_window,
    probe_crop,
    start_text,
)

if TYPE_CHECKING:
    import pandas as pd

    import eegpt.viz_training
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings

PROBE_UNKNOWN_RULE = (
    "the probe refuses them as its training did, with on_unknown='raise' (probe train "
    "--strict-channels), whatever the data predicted: eegpt info PROBE says so"
)
"""What a trained probe's refusal of channels outside the vocabulary says of the rule
(:attr:`EEGPTProbe.on_unknown`), instead of embed's how to give ``on_unknown='drop'``."""

__all__ = [
    "EEGPTProbe",
    "EmbeddingCache",
    "EncoderMismatchError",
    "ProbeConfig",
    "concatenate_epochs",
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
# The probe
# --------------------------------------------------------------------------------------------


def _predicting(
    data: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] | None = None,
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
    picks: str | Sequence[str] | None = None,
    overlap: float | None = None,
    annotations: str | os.PathLike | mne.Annotations | None = None,
    reject_by_annotation: bool = False,
    verbose: Verbose = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    stream_precision: Precision = "float32",
    batch_size: int | None = None,
    cache: EmbeddingCache | str | os.PathLike | bool | None = False,
    epoch_seconds: float | None = None,
    start: float | str | Sequence[float] | None = None,
    skip_unknown: bool = False,
    events: bool = False,
    threshold: float | Mapping[Any, float] | None = None,
    event_class: Sequence[Any] | None = None,
    min_event_seconds: float = 0.0,
    merge_gap_seconds: float = 0.0,
) -> None:
    """The parameters of :meth:`EEGPTProbe.evaluate`: ``y``, those of :func:`_predicting`,
    ``epoch_seconds`` with those it takes (``start``, ``skip_unknown``:
    :data:`_EPOCH_KEYWORDS`), and ``events`` with those it takes (:data:`_EVENT_KEYWORDS`)."""


#: The keywords :meth:`EEGPTProbe.evaluate` takes with ``epoch_seconds`` (and
#: :meth:`EEGPTProbe.predict_table`'s, less ``skip_unknown``, plus ``reject_by_annotation``).
_EPOCH_KEYWORDS = frozenset(
    {"annotations", "start", "skip_unknown", "device", "precision", "batch_size", "verbose"}
)

#: The keywords :meth:`EEGPTProbe.evaluate` takes with ``events=True``.
_EVENT_KEYWORDS = frozenset(
    {"annotations", "threshold", "event_class", "min_event_seconds", "merge_gap_seconds",
     "overlap", "skip_unknown", "device", "precision", "batch_size", "verbose"}
)  # fmt: skip

#: The keywords of :meth:`EEGPTProbe.evaluate` that go with ``events=True`` alone.
_EVENT_ONLY = ("threshold", "event_class", "min_event_seconds", "merge_gap_seconds")

#: The keywords of :meth:`EEGPTProbe.evaluate` that go with ``epoch_seconds`` alone (not
#: predictions' keywords: :func:`_split_kwargs` does not take them).
_EPOCH_ONLY = ("epoch_seconds", "start", "skip_unknown")


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
    input_labels : tuple of str | None
        ``input_names`` as the training data labelled them (``EEG C3-REF`` for ``C3``): the
        names a missing channel's advice gives, which ``rename`` and ``--drop`` take at
        training; None with a projection, and for probes saved before they were kept.
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
        ``train_balanced_accuracy`` (running, over the epoch's batches with dropout on, under
        float16 those with a finite loss, as ``train_loss``; absent from probes saved by
        earlier versions) and, with validation data, ``val_loss``,
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
    picks : list of str | None
        The channel types read from the files it was trained on (``--picks`` of ``eegpt
        probe train``: ``["eeg", "misc"]`` for electrodes typed misc); None where EEG alone
        (the default, and probes saved before it was kept). Prediction and evaluation read
        those types too unless given other ``picks``.
    on_unknown : ``"drop"`` | ``"raise"``
        What training did with channel names outside the vocabulary (``on_unknown=`` of
        :func:`train_probe`; ``"drop"`` for probes saved before it was kept); prediction and
        evaluation do the same.
    on_missing : ``"raise"`` | ``"ignore"`` | None
        What training did with ``rename`` keys the data lacked (``on_missing=``); None: the
        rule by input (raise for one, ignore for a list; the probe's own ``rename`` is
        ignored where the data lack its keys). Prediction and evaluation do the same.
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
        picks: str | Sequence[str] | None = None,
        input_labels: Sequence[str] | None = None,
        on_unknown: Literal["drop", "raise"] = "drop",
        on_missing: Literal["raise", "ignore"] | None = None,
    ) -> None:
        if model.final_layer is None:
            raise ValueError("a probe model needs a final_layer head")
        self.model = model
        self.classes_ = np.asarray(classes)
        self.config = config
        self.preprocessing = preprocessing
        self.input_names = tuple(input_names)
        labels = None if input_labels is None else tuple(str(n) for n in input_labels)
        self.input_labels = labels if labels and len(labels) == len(self.input_names) else None
        self.encoder_names = tuple(encoder_names)
        self.encoder = dict(encoder)
        self.frozen_encoder = bool(frozen_encoder)
        self.history = list(history or [])
        self.training = dict(training or {})
        if isinstance(rename, (str, os.PathLike)) and os.fspath(rename) not in CAPS:
            if Path(rename).is_file():  # a table file: its entries, not a path to read again
                rename = rename_table(rename)  # (as rename_table orders them: a cap, a file)
        self.rename = dict(rename) if isinstance(rename, Mapping) else rename
        self.keep = None if keep is None else keep_list(keep)
        self.picks = recorded_picks(picks)
        rules = ChannelRules(on_unknown, on_missing)  # checked: a probe.json edited by hand
        self.on_unknown, self.on_missing = rules.on_unknown, rules.on_missing
        # kinds of warnings held back while they repeat, and the calls that gave them
        self._warned: dict[str, set[str]] = {}  # (each_warning_once)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle, giving a probe pickled by an earlier eegpt (inside a fitted
        :class:`~eegpt.sklearn.EEGPTClassifier`) the attributes added since at what that eegpt
        did: no ``rename``, ``keep``, ``picks`` or ``input_labels`` of its own, unknown
        channels dropped, ``rename`` keys by input (``on_unknown``, ``on_missing``), no
        warnings held back."""
        self.__dict__.update(state)
        self.__dict__.setdefault("input_labels", None)
        self.__dict__.setdefault("rename", None)
        self.__dict__.setdefault("keep", None)
        self.__dict__.setdefault("picks", None)
        self.__dict__.setdefault("on_unknown", "drop")
        self.__dict__.setdefault("on_missing", None)
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
        picks: str | Sequence[str] | None = None,
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
        change them), else a ``ValueError`` says which it leaves out. ``picks``: the channel
        types read from files and MNE objects (MNE's ``picks``); None: the probe's own
        (:attr:`picks`, the types it was trained on), else EEG alone.

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
        rules = self.rules
        mapped = rules.for_inputs(data)  # the rules of the mapping below
        table: Rename | None = rename
        if rename is None and self.rename:  # training's: for the channels these data have
            table, mapped = self.rename, rules.for_several()
        rec = as_epochs_recording(
            data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose, rename=table,
            preprocessing=self.preprocessing, continuous=True, keep=keep,
            picks=(picks if picks is not None else self.picks) or "eeg", rules=rules,
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
            inputs=rec.merged_baselines,
        )
        self._check_detrend(
            rec.detrend,
            f"{rec.source}'s {'epochs' if rec.is_epoched else 'windows'}",
            recorded=rec.detrend_recorded or not rec.is_epoched,
        )
        self._check_tmin(rec, f"{rec.source}'s epochs")
        config = self._continuous_preprocessing(overlap, rec)
        if not rec.is_epoched:
            self._warn_trained_start(rec, config)
        short = rec.duration - config.grid_start_seconds < config.window_seconds
        if not rec.is_epoched and short and config.tail == "drop":
            start = config.start_seconds  # as given, in check_length's words
            raise RecordingError(
                f"{rec.source}: the recording lasts {rec.duration:.3f} s, shorter than one "
                f"window of the probe ({config.window_seconds:g} s, the length it was trained "
                "on, which its predictions keep)"
                + (f" after the first window's start "
                   f"({start_text(start, config.sfreq, '--start')})" if start else "")
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
        mapping = map_recording_channels(  # its errors name the recording, as embed's do
            rec.ch_names, rec.source, rename=table, verbose=verbose, left_out=rec.left_out,
            keep=keep, used=self.input_names, rules=mapped,
        )  # fmt: skip
        mapping = subset_mapping(
            mapping, self.input_names, rec.source, bads=rec.bads, rename=table,
            fitted_names=self.input_labels,  # a missing one named as training labelled it
        )  # fmt: skip
        if self.input_labels is not None:  # FP1-F7 renamed Fp1 in training, EEG FP1-REF here
            fitted = list(zip(self.input_names, self.input_labels, strict=True))
            note = fitted_derivations_note(fitted, mapping, f"{rec.source}: ")
            if note is not None:
                _warn(note)
        # predictions: data all flat warn (prepare's rule), as a loop predicting epoch by
        # epoch goes on; the trained preprocessing is fixed: its reference was warned of then
        return prepare(
            rec, mapping, config, refuse_flat=False, warn_reference=False, verbose=verbose,
            bad_spans=bad_spans,
        ).data  # fmt: skip

    @property
    def rules(self) -> ChannelRules:
        """The channel rules of training (:attr:`on_unknown`, :attr:`on_missing`), which the
        probe's predictions apply (:class:`~eegpt.channels.ChannelRules`); a refusal of
        channels outside the vocabulary says it is the rule of training, which the data
        predicted cannot change."""
        return ChannelRules(self.on_unknown, self.on_missing, unknown_rule=PROBE_UNKNOWN_RULE)

    def _checked_keep(self, keep: str | Sequence[str] | None) -> str | Sequence[str] | None:
        """The channel restriction to apply to the data (``keep`` given, else the probe's own,
        :attr:`keep`); a ``keep`` given that leaves out a channel the probe was trained on,
        or any with a channel projection (which takes the input channels by name), raises."""
        if keep is None:
            return self.keep
        trained = ", ".join(self.input_names)
        if self.config.chan_proj:
            raise ValueError(
                f"keep={keep_list(keep)} (--keep-channels) restricts the vocabulary channels "
                "of a probe without a channel projection, but this probe projects its input "
                f"channels ({trained}) by name: leave keep out"
            )
        kept = set(kept_channels(keep) or ())
        lost = [name for name in self.input_names if name not in kept]
        if lost:
            how = f" (trained with keep={self.keep})" if self.keep else ""
            raise ValueError(
                f"keep={keep_list(keep)} (--keep-channels) leaves out {few(lost, 10)}, which "
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

    #: Set by the command line (``eegpt probe predict``), which adopts the training's start
    #: and says what it uses itself: :meth:`_warn_trained_start` is then silent.
    _start_said: bool = False

    def _warn_trained_start(self, rec: Recording, config: PreprocessingConfig) -> None:
        """Warn where the continuous recording ``rec`` is cut into windows from its first
        sample (``config.start_seconds`` 0) though the probe was trained on the command line
        on windows from another start (``training["window_labels"]``: ``start_seconds``,
        the rule ``--start annotations``, or one value per recording), which the command
        line's ``probe predict`` adopts and the Python API cannot (it takes the start from
        ``preprocessing``): the windows would be off the training's grid (a hypnogram's
        scoring epochs)."""
        how = (self.training or {}).get("window_labels") or {}
        if self._start_said or config.start_seconds or not how:
            return
        from eegpt.preprocessing_spec import seconds_text

        if how.get("start") == "annotations":
            trained = "each recording's first scored epoch (--start annotations)"
            value, what = "ONSET", " (ONSET: its first scored epoch's, s from its first sample)"
        elif how.get("starts"):
            trained = "each recording's own start (one --start per recording)"
            value, what = "START", " (START: its own, s from its first sample)"
        elif how.get("start_seconds"):
            value, what = seconds_text(float(how["start_seconds"])), ""
            trained = f"{value} s (--start {value})"
        else:
            return
        _warn(
            f"{rec.source}: the probe was trained on windows starting at {trained}, but these "
            "start at the recording's first sample (the probe's preprocessing has "
            "start_seconds=0), so they may straddle its scoring epochs. "
            + (
                "Predict"  # the command line adopts no per-recording value either
                if value == "START"
                else "eegpt probe predict adopts the training's start; in Python, predict"
            )
            + " with a copy of the probe whose windows start there: probe = copy.copy(probe); "
            "probe.preprocessing = dataclasses.replace(probe.preprocessing, "
            f"start_seconds={value}){what}"
        )

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
        probe cuts from a continuous recording (:meth:`windows`): ``start + k * hop``, the
        start ``start_seconds`` on the nearest sample at ``sfreq``, where the windows start
        (``grid_start_seconds``), the hop ``window_seconds - overlap`` (``overlap`` as given
        to :meth:`windows` or :meth:`predict_proba`; None: 0, the window length). Add
        ``raw.first_time`` for MNE's time base (that of annotations and events)."""
        config = self._with_overlap(overlap or 0.0)
        hop = config.step_samples / float(config.sfreq)
        return config.grid_start_seconds + np.arange(n_windows) * hop

    def _refuse_continuous(self, data: Any) -> None:
        """Evaluation needs labelled epochs: refuse a continuous recording (a Raw or the path
        of a file not read as epochs: :func:`~eegpt.epochs_files.reads_as_epochs`, as
        training reads it), saying how to cut epochs from it."""
        window = self.preprocessing.window_seconds
        if isinstance(data, mne.io.BaseRaw):
            raise ValueError(
                f"got a continuous mne.io.Raw, but {_needs_epochs('a probe', window)}"
                + self._window_labels_text("RECORDING")
            )
        if isinstance(data, (str, os.PathLike)) and not reads_as_epochs(data):
            raise ValueError(
                f"{data}: a continuous recording, but "
                f"{_needs_epochs('a probe', window, 'mne.io.read_raw(path)')}"
                + self._window_labels_text(str(data))
            )

    def _window_labels_text(self, recording: str) -> str:
        """For :meth:`_refuse_continuous`: where the probe was trained on a continuous
        recording's windows labelled by its annotations (``probe train --window-labels``, a
        hypnogram's stages), how its command line scores ``recording``'s windows labelled
        as in training; "" for a probe trained otherwise."""
        import shlex

        from eegpt.window_labelling import labelling_options

        how = (self.training or {}).get("window_labels") or {}
        if how.get("match") is None:
            return ""
        separate = bool(how.get("annotation_files"))
        return (
            f"; this probe was trained on windows labelled by annotations "
            f"({labelling_options(how['match'])}): eegpt probe evaluate PROBE_FOLDER "
            f"{shlex.quote(recording)}"
            + (" --annotations FILE" if separate else "")
            + (" --start annotations" if how.get("start") == "annotations" else "")
            + " labels and scores them as in training"
            + (" (FILE: the annotations kept in another file, a hypnogram)" if separate else "")
            + "; per scoring epoch in Python: probe.evaluate(path, epoch_seconds=30"
            + (", annotations=FILE" if separate else "")
            + (', start="annotations"' if how.get("start") == "annotations" else "")
            + ")"
        )

    def _check_epoch_length(self, rec: Recording) -> None:
        """Epochs must last the probe's window (shorter ones only if it pads them), as
        resampled to its rate: 0.7 s epochs at 250 Hz become 180 samples at 256 Hz, the
        0.703125 s windows of a probe trained on them. At a rate where no length resamples to
        the window exactly, one sample over it is cropped to it (:func:`just_over_window`)."""
        config = self.preprocessing
        window = config.window_seconds
        if not rec.is_epoched:
            return
        n = resampled_length(rec.data.shape[-1], rec.sfreq, config.sfreq, config.resample)
        if n == config.n_samples or (n < config.n_samples and config.tail == "pad"):
            return
        if just_over_window(rec.data.shape[-1], rec.sfreq, config):  # cropped to the window
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
        inputs: Sequence[tuple[str, Sequence[float | None] | None, bool]] | None = None,
    ) -> None:
        """Warn when this probe was trained on epochs MNE baseline-corrected and ``what`` (the
        data to predict; ``given``: their baseline interval, None for none) were not, or over
        another interval, or may not have been: each channel's offset differs from the
        training data's. ``inputs``: for epochs of several inputs merged whose corrections
        differ or are not all recorded, each one's ``(source, baseline, recorded)``
        (:attr:`~eegpt.recording.Recording.merged_baselines`), checked one by one
        (:func:`~eegpt.probe_preparation.merged_baseline_warnings`: those that record none
        named as such, those that do checked against the training). ``recorded``: whether
        ``given`` is known (MNE epochs, continuous recordings, streams); False for data that
        record no baseline correction (arrays,
        EEGLAB .set epochs, embeddings without the record), for which eegpt cannot tell. Probes
        saved before the training data's baseline was recorded are not checked. ``sfreq``:
        the data's rate (Hz, as recorded), None if not known: MNE rounds an interval's ends
        to samples, so ends within half a sample period of the data's rate are the same (a
        probe does not record its training data's rate)."""
        trained = _baseline_record(self.training.get("epochs_baseline"))
        if inputs:
            for said in merged_baseline_warnings(trained, inputs, sfreq):
                _warn(said)
            return
        text = baseline_warning(
            trained,
            _baseline_record(given),
            what,
            recorded=recorded,
            sfreq=sfreq,
        )
        if text:
            _warn(text)

    def _check_tmin(self, rec: Recording, what: str) -> None:
        """Warn when this probe was trained on epochs starting at another time from their
        events (``epochs.tmin``, ``training["epochs_tmin"]``) than the epochs ``rec``: each
        window holds another stretch of the trials. Not checked for continuous recordings,
        arrays (no tmin), windows of a continuous recording cut as epochs
        (:func:`~eegpt.probe_preparation.event_tmin`), nor probes saved before the training epochs' tmin was recorded
        (or trained on epochs whose tmin differed or was not known)."""
        if not rec.is_epoched:
            return
        text = tmin_warning(
            self.training.get("epochs_tmin"),
            event_tmin(rec),
            what,
            sfreq=rec.sfreq,
            window=self.preprocessing.window_seconds,
        )
        if text:
            _warn(text)

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
        own = DETREND_ORDER.get(self.preprocessing.detrend, -1)
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
                f"this probe was trained on epochs {detrend_said(trained)}, but whether {what} "
                "were detrended is not recorded in them (epochs read from a file, which stores "
                "no detrend, arrays and embeddings of them carry no such record), so eegpt "
                "cannot check it: if they were not, or otherwise, each epoch differs from the "
                "training data by that trend and the probe's predictions on them mean less. "
                f"Give epochs made with mne.Epochs(..., detrend={trained}) as in training, "
                + advice
            )
            return
        _warn(
            f"this probe was trained on epochs {detrend_said(trained)}, but {what} were "
            f"{detrend_said(given)}, so each epoch differs from the training data by that "
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
        on_unknown: Literal["drop", "raise"] | None = None,
        on_missing: Literal["raise", "ignore"] | None = None,
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
        on_unknown : ``"drop"`` | ``"raise"`` | None
            Channel names of the stream outside the EEGPT vocabulary: dropped with one
            warning, or a ``ValueError`` naming them, as for
            :class:`~eegpt.online.OnlineEmbedder`. None (the default): the probe's
            (:attr:`on_unknown`, the rule of its training, which :meth:`predict_proba`
            applies too).
        on_missing : ``"raise"`` | ``"ignore"`` | None
            What to do with ``rename`` keys the stream does not have, as for
            :class:`~eegpt.online.OnlineEmbedder` (``"ignore"``: one ``rename`` for
            streams of different channels). None (the default): the probe's
            (:attr:`on_missing`), else, where it recorded none, ``"raise"`` for a ``rename``
            given here and ``"ignore"`` for training's own (used when ``rename`` is None,
            applied to the channels the stream has), as :meth:`predict_proba` does. A value
            given applies to a ``rename`` given here; to training's own, ``"ignore"`` given
            applies, ``"raise"`` only where the probe recorded it (``"raise"``, the default
            before None, left training's rename applied to the channels the stream has, and
            still does).
        rename, device, precision, batch_size, skip_stale, warm_up, verbose
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
        if on_missing not in (None, "raise", "ignore"):  # checked here: training's rename is not
            raise ValueError(
                f"on_missing must be 'raise', 'ignore' or None (the probe's), got {on_missing!r}"
            )
        if on_unknown not in (None, "drop", "raise"):
            raise ValueError(
                f"on_unknown must be 'drop', 'raise' or None (the probe's), got {on_unknown!r}"
            )
        # the rules of training, as predict_proba applies them, unless given otherwise
        rules = self.rules
        on_unknown = on_unknown or rules.on_unknown
        table: Any = rename
        if rename is None and self.rename:  # training's: for the channels the stream has
            table = self.rename
            # the probe's rule, as predict_proba applies it; "ignore" given loosens it, but
            # "raise" given (the default until None was) does not tighten it: such a call
            # took training's rename for the channels the stream has
            on_missing = "ignore" if on_missing == "ignore" else rules.on_missing or "ignore"
        else:  # a rename given here (or none): one stream, one input
            on_missing = on_missing or rules.on_missing or "raise"
        # its own copy of the model: predict_proba(epochs) on another device moves
        # self.model, which would leave the embedder's engine refusing every push (an engine
        # given runs its own encoder, checked to hold the probe's weights)
        model = copy.deepcopy(self.model) if engine is None else self.model
        if engine is None and not getattr(model, "checkpoint_info", None):
            # a frozen probe's model names no checkpoint: its outputs name the encoder it
            # was trained on, their weights' fingerprint hashed once here (not at each push)
            model.checkpoint_info = frozen_checkpoint_info(self.encoder)  # type: ignore[assignment]
            mark_loaded_weights(model)
        # a stream's windows: from its first sample (a start set for predicting a recording
        # is that recording's), none overlapping unless asked, as predict_proba cuts one
        # (and no crop: crop_tmin crops epochs around their event; a stream has none)
        config = replace(
            self.preprocessing, overlap=0.0, start_seconds=float(start_seconds), crop_tmin=None
        )
        return OnlineEmbedder(
            model, ch_names, sfreq, units=units, overlap=0.0 if overlap is None else overlap,
            rename=table, on_unknown=on_unknown, on_missing=on_missing, keep=self.keep,
            channels=self.input_names, channel_labels=self.input_labels, preprocessing=config,
            device=device, precision=precision, batch_size=batch_size, engine=engine,
            skip_stale=skip_stale, warm_up=warm_up, gap_tolerance=gap_tolerance, verbose=verbose,
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
                recorded=stream or baseline_known(emb.metadata),
                sfreq=emb.metadata.get("sfreq_in"),
            )
            self._check_detrend(
                emb.metadata.get("epochs_detrend"),
                what,
                recorded=stream or detrend_known(emb.metadata),
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
            difference: preprocessing, channels, encoder); or a continuous recording cut into
            windows of the probe's window length, window ``k`` starting ``start_seconds + k *
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
        picks : str | list of str | None
            The channel types read from files and MNE objects (MNE's ``picks``: ``"eeg"``,
            ``["eeg", "misc"]``); None: those the probe was trained on (:attr:`picks`), else
            EEG alone.
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
        ch_names, sfreq, units, rename, keep, picks, overlap, annotations, reject_by_annotation,
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
        (subject-level leakage), the warning kept in ``"warnings"``.

        With ``epoch_seconds`` (30 for sleep staging), ``data`` is one continuous recording's
        file or a list of them, scored per scoring epoch as ``eegpt probe evaluate
        --epoch-seconds`` scores them (the same code: :func:`eegpt.probe_scoring.
        evaluate_epochs`): the windows pooled into epochs as :meth:`predict_table` pools them
        with ``reject_by_annotation=True``, each epoch labelled by the stage the annotations
        give it (``annotations``: a hypnogram file, one per recording; matched by the probe's
        ``--window-labels``), bad and unscored epochs left out (said on stderr); ``start``
        and ``skip_unknown`` as ``--start`` and ``--skip-unknown``. The result is what the
        command prints and its ``--json`` records (less the provenance): the metrics above
        (``n`` counts scoring epochs), ``per_class`` (precision, recall, F1, support ... of
        each class), ``confusion_matrix`` (``labels``: sleep stages in the AASM order W, N1,
        N2, N3, R; ``matrix``: rows true, columns predicted), ``scored`` (``"30 s epochs"``),
        ``epoch_seconds``, ``n_recordings`` (and ``n_left_out`` with ``skip_unknown``;
        ``per_recording``, each recording's metrics alone, with several). It
        takes ``device``, ``precision``, ``batch_size`` and ``verbose`` (true: the
        command's notes on stderr) too, and no ``y``: the annotations label the epochs.

        With ``events=True`` (seizure detection), ``data`` is one continuous recording's file
        or a list of them, cut into the probe's windows labelled as at training (its
        ``--window-labels``; ``annotations``: a file of annotations per recording, else
        their own), and scored as ``eegpt probe evaluate --event-scoring`` scores them (the
        same code: :func:`eegpt.probe_scoring.evaluate_events`): the window metrics above and
        ``"events"``: the windows of each event class merged into events and scored against
        the labels' (OVLP and TAES sensitivity, precision, F1, false alarms per 24 h:
        :func:`eegpt.probe_events.event_scores`), with each decision threshold's
        ``operating_points`` (:func:`eegpt.probe_events.operating_points`) and, of several
        recordings, each one's events in its row of ``per_recording``. ``threshold``: a
        window is in an event where its probability of the class is at least this (one
        number for one event class, or ``{class: P}``; ``--threshold``; default: the class
        of its largest probability); ``event_class``, ``min_event_seconds``,
        ``merge_gap_seconds``, ``overlap`` and ``skip_unknown`` as the command's options;
        ``device``, ``precision``, ``batch_size``, ``verbose`` too; no ``y``."""
        if kwargs.pop("events", False):
            from eegpt.probe_scoring import evaluate_events

            other = sorted(set(kwargs) - _EVENT_KEYWORDS) + (["y"] if y is not None else [])
            if other:
                raise TypeError(
                    f"evaluate(events=True) takes {sorted(_EVENT_KEYWORDS)}; {other} apply "
                    "to epochs: the probe's window labels label the windows of the "
                    "recordings (annotations=FILE), the probe's channel settings apply"
                )
            return evaluate_events(self, data, **kwargs)
        for name in _EVENT_ONLY:
            if name in kwargs:
                raise TypeError(
                    f"evaluate({name}=...) goes with events=True (the windows of continuous "
                    "recordings merged into events): give events=True too, or leave it out"
                )
        epoch_seconds = kwargs.pop("epoch_seconds", None)
        if epoch_seconds is not None:
            from eegpt.probe_scoring import evaluate_epochs

            other = sorted(set(kwargs) - _EPOCH_KEYWORDS) + (["y"] if y is not None else [])
            if other:
                raise TypeError(
                    f"evaluate(epoch_seconds={epoch_seconds!r}) takes {sorted(_EPOCH_KEYWORDS)}; "
                    f"{other} apply to epochs and windows: the annotations label the scoring "
                    "epochs (annotations=FILE), the probe's channel settings apply"
                )
            return evaluate_epochs(self, data, epoch_seconds, **kwargs)
        for name in _EPOCH_ONLY[1:]:
            if name in kwargs:
                raise TypeError(
                    f"evaluate({name}=...) goes with epoch_seconds (a continuous recording "
                    "scored per scoring epoch): give epoch_seconds too, or leave it out"
                )
        self._refuse_continuous(data)
        overlap = self._training_overlap(data)  # before predicting, which may load the epochs
        proba = self.predict_proba(data, **kwargs)
        labels = self._known_labels(data, y, len(proba))
        pred = self.classes_[proba.argmax(axis=1)]
        metrics: dict[str, Any] = probe_metrics(labels, pred, proba, self.classes_)
        checked_metrics(metrics, labels, self.classes_)
        tested = self._tested_files(data)[0]  # the same subject in other files too
        early_stopping = self.config.patience is not None
        for said in overlap_warnings(self.training, overlap, tested, early_stopping):
            _warn(said)
            metrics.setdefault("warnings", []).append(said)
        metrics.update(overlap_names(overlap))
        return metrics

    def predict_table(
        self,
        data: str | os.PathLike | Sequence[str | os.PathLike],
        epoch_seconds: float = 30.0,
        *,
        annotations: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
        start: float | str | Sequence[float] | None = None,
        reject_by_annotation: bool = False,
        device: str | torch.device | None = None,
        precision: Precision = "float32",
        batch_size: int | None = None,
        verbose: bool | str | int | None = None,
    ) -> pd.DataFrame:
        """One row per scoring epoch of continuous recordings (a hypnogram), as ``eegpt probe
        predict --epoch-seconds`` writes it: the same code
        (:func:`eegpt.probe_scoring.predict_table`), the rows of its ``-o`` table.

        Each recording is cut into the probe's windows (from ``start``; without it the
        probe's training start, else 0) and each epoch's probabilities are the mean of those
        of the windows that overlap it, each weighted by the seconds it overlaps the epoch
        (:func:`eegpt.scoring_epochs.scoring_epochs`: a window straddling two epochs counts
        in both by its share; a last, partial epoch is covered by fewer seconds, a tail
        shorter than one window by none).

        Parameters
        ----------
        data : str | path-like | list of them
            Continuous recordings' files (``.edf``, ``.fif`` ...); an ``mne.io.Raw`` in
            memory is refused: save it (``raw.save``) and give the file.
        epoch_seconds : float
            The scoring epochs' length in seconds (30: AASM).
        annotations : str | path-like | list of them | None
            A hypnogram (annotations file) per recording, in their order
            (``--annotations``): the ``label`` column is each epoch's scored stage from
            these (or the recording's own) annotations, matched by the probe's
            ``--window-labels``; without them, the recordings' own annotations.
        start : float | "annotations" | list of float | None
            Where the windows and epochs start, seconds from the first sample (one value, or
            one per recording), or ``"annotations"``: each at its first labelling
            annotation (``--start``). None: the probe's training start, else 0.
        reject_by_annotation : bool
            Windows over annotations marked bad count in no epoch
            (``--reject-by-annotation``).
        device, precision, batch_size
            As for :meth:`predict_proba`.
        verbose : bool | str | int | None
            True: the command's notes on stderr (the labelling and start taken from the
            probe's training, windows' start, bad windows, the tail); else only warnings.
            The command's agreement with the ``label`` column is not said: :meth:`evaluate`
            with ``epoch_seconds`` scores the epochs.

        Returns
        -------
        pandas.DataFrame
            One row per scoring epoch: ``file``, ``epoch`` (from 0), ``onset_s``
            (seconds from the recording's first sample), ``clock_s``, ``duration_s``,
            ``covered_s`` (seconds its windows cover: less at the end, 0 for an epoch with
            no window counted), ``clock_time`` (ISO 8601, for a recording with a
            measurement date), ``prediction`` (missing with no window counted), ``label``
            (with annotations; missing where none covers half the epoch, and for a bad
            epoch; missing text is None, or NaN in pandas 3's text columns: test with
            ``isna()``),
            ``p_<class>`` (NaN with no window counted; sleep stages in the AASM order W, N1,
            N2, N3, R, other classes as :attr:`classes_`:
            :func:`eegpt.probe_predictions.probability_order`), ``bad`` (an annotation
            marked bad overlaps the epoch). :meth:`evaluate` with ``epoch_seconds`` scores
            these epochs.
        """
        from eegpt.probe_scoring import predict_table

        return predict_table(
            self, data, epoch_seconds, annotations=annotations, start=start,
            reject_by_annotation=reject_by_annotation, device=device, precision=precision,
            batch_size=batch_size, verbose=verbose,
        )  # fmt: skip

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
        plot_training = eegpt.viz_training.plot_training
    else:
        plot_training = function_method("eegpt.viz_training", "plot_training")

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
        Epochs events), classes in the order of ``labels`` (default: ``classes_``, sleep
        stages in the AASM order W, N1, N2, N3, R: :func:`eegpt.viz.stage_order`; bare ``W``
        and ``R`` alone where the probe was trained on sleep stages' annotations):
        :func:`eegpt.viz.plot_confusion_matrix`. ``kwargs`` go to :meth:`predict_proba`."""
        from eegpt.viz_hypnogram import labelled_as_sleep, stage_order
        from eegpt.viz_training import plot_confusion_matrix

        self._refuse_continuous(data)
        pred = self.predict(data, **kwargs)
        truth = self._known_labels(data, y, len(pred))
        sleep = labelled_as_sleep(self.training)  # bare W and R: stages if trained on them
        order = (
            stage_order(self.classes_.tolist(), aasm=True, sleep=sleep)
            if labels is None
            else labels
        )
        return plot_confusion_matrix(truth, pred, labels=order, normalize=normalize,
                                     ax=ax, title=title, show=show,
                                     pretrained=self.encoder.get("pretrained"))  # fmt: skip

    def _known_labels(self, data: Any, y: Any, n: int) -> np.ndarray:
        """The true labels of ``data`` as classes of this probe; unknown labels raise."""
        labels = as_classes(labels_of(data, y, n, self.classes_), self.classes_)
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
                **({"input_labels": list(self.input_labels)} if self.input_labels else {}),
                "encoder_names": list(self.encoder_names),
                "encoder_chan_ids": list(self.chan_ids),
                "rename": self.rename,
                "keep": self.keep,
                "picks": self.picks,
                "on_unknown": self.on_unknown,
                "on_missing": self.on_missing,
            },
            "encoder": self.encoder,
            "training": self.training,
            "history": self.history,
        }
        make_output_folder(directory)
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


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    input_keys = {"ch_names", "sfreq", "units", "rename", "keep", "picks", "overlap", "verbose",
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


def recorded_picks(picks: str | Sequence[str] | None) -> list[str] | None:
    """``picks`` as a probe records them (:attr:`EEGPTProbe.picks`): a list of channel types,
    or None for EEG alone (``"eeg"``, the default, read as before they were recorded)."""
    if picks is None:
        return None
    listed = [picks] if isinstance(picks, str) else [str(p) for p in picks]
    return None if listed == ["eeg"] else list(dict.fromkeys(listed))


def row_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
