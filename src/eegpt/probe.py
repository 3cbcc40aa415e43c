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
  computed once (and cached, see :class:`EmbeddingCache`) and only the head is trained on them;
* with a channel projection every step runs the frozen encoder forward and backward (the
  projection before it is trained).

:func:`train_probe` returns an :class:`EEGPTProbe`, which predicts, evaluates (balanced accuracy,
Cohen's kappa, weighted F1, AUROC; see :func:`probe_metrics`) and saves itself to a folder with
``probe.safetensors`` + ``probe.json``. A probe stores a *reference* to its encoder (checkpoint
path, file SHA-256 and a SHA-256 of the encoder weights), not the encoder: :func:`load_probe`
loads the encoder again and refuses one whose weights differ.

Shapes: n = epochs (trials), C = channels, T = samples, N = time patches, S = summary tokens,
D = embedding width.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import math
import os
import shlex
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import mne
import numpy as np
import numpy.typing as npt
import torch
from safetensors.torch import load_file as _load_safetensors
from safetensors.torch import save as _dump_safetensors

from eegpt import __version__
from eegpt._logging import (
    baseline_text,
    command_record,
    count,
    each_warning_once,
    few,
    honours_verbose,
    ignored_warnings,
    recorded_warnings,
    shortened,
    software_text,
    warning_texts,
    warnings_once,
)
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._methods import function_method
from eegpt.api import software_versions
from eegpt.channels import (
    CAPS,
    CHANNEL_INDEX,
    PROBE_19_CHANNELS,
    ChannelMapping,
    how_to_drop,
    kept_channels,
    map_channels,
    may_be_electrode,
    montage_spelling,
    normalize_channel_name,
    rename_table,
    unmatched_rename_warning,
)
from eegpt.checkpoints import encoder_fingerprint, encoder_of, mark_loaded_weights
from eegpt.config import EEGPTConfig, strict_from_dict
from eegpt.engine import (
    GPU_BATCH_SIZE,
    InferenceEngine,
    Precision,
    default_batch_size,
    resolve_device,
)
from eegpt.errors import (
    EncoderMismatchError,
    MissingDependencyError,
    RecordingError,
    install_hint,
)
from eegpt.heads import LinearProbe
from eegpt.io import (
    Recording,
    as_recording,
    epochs_labels,
    may_hold_epochs,
    mne_source,
    read_epochs_file,
    warn_unapplied_projectors,
)
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import atomic_write
from eegpt.preprocessing import (
    PreprocessingConfig,
    check_length,
    check_reference_channels,
    check_windows,
    crop_call,
    cut_windows,
    detrend_windows,
    prepare,
    quiet_float32_overflow,
    resample,
    resampled_length,
    window_starts,
)
from eegpt.training import (
    absent_classes_text,
    balanced_class_weights,
    check_precision,
    class_balance_warning,
    fit_model,
    group_split,
    per_epoch_split_warning,
    predict_logits,
    stratified_split,
    thin_split_warning,
    training_mode,
)

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

PROBE_WEIGHTS = "probe.safetensors"
PROBE_JSON = "probe.json"
PROBE_FORMAT = "eegpt-probe"
PROBE_FORMAT_VERSION = 1


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
    class_weight : {None, "balanced"}
        ``"balanced"`` weights each class's loss by ``n / (n_classes * n_class)`` of the training
        labels (scikit-learn's rule), so a rare class counts as much as a common one; ``None``
        (the original recipe) weights every epoch alike.
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
    class_weight: Literal["balanced"] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_channels", tuple(self.target_channels))
        for name in ("hidden", "epochs", "batch_size"):
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
        if self.class_weight not in (None, "balanced"):
            raise ValueError(f"class_weight must be None or 'balanced', got {self.class_weight!r}")
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
# Input: epochs and labels
# --------------------------------------------------------------------------------------------


def refuse_embeddings(data: Any, what: str = "a probe") -> None:
    """Raise a TypeError for embeddings (:class:`~eegpt.outputs.Embeddings`, an
    :class:`~eegpt.outputs.EmbeddingsFile`, or an array ``[n, N, S, D]`` as their ``data``)
    given where ``what`` (which runs the encoder) takes EEG epochs; other data pass. It names
    the recipe for precomputed embeddings: a scikit-learn classifier on
    :meth:`~eegpt.outputs.Embeddings.pooled`."""
    from eegpt.outputs import Embeddings, EmbeddingsFile

    if isinstance(data, (Embeddings, EmbeddingsFile)):
        got = f"{type(data).__name__} (EEGPT embeddings, computed already)"
        emb = "emb"
    elif isinstance(data, np.ndarray) and data.ndim == 4:
        got = (
            f"a 4-D array of shape {data.shape}: EEGPT embeddings [n, N, S, D] "
            "(Embeddings.data), computed already"
        )
        emb = "load_embeddings(path)"
    else:
        return
    raise TypeError(
        f"{what} takes EEG epochs [n_epochs, n_channels, n_times] and runs the encoder on them, "
        f"but got {got}. For precomputed embeddings, train a scikit-learn classifier on one "
        f"vector per window instead: from sklearn.linear_model import LogisticRegression; "
        f"clf = LogisticRegression(max_iter=1000).fit({emb}.pooled(), y) (y: one label per "
        "window, e.g. emb.metadata['labels'] for embedded epochs; pooled('flatten') keeps every "
        "patch and summary token; eegpt.outputs.pool_embeddings(array) pools an array)"
    )


def as_epochs_recording(
    data: Any,
    *,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    units: Literal["V", "mV", "uV", "µV"],
    verbose: Any,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    preprocessing: PreprocessingConfig | None = None,
    what: str = "a probe",
    continuous: bool = False,
    keep: str | Sequence[str] | None = None,
) -> Recording:
    """An epoched :class:`Recording` (volts) from Epochs, a list of Epochs, a file or an array
    (a list is merged by :func:`merge_epochs` with ``rename``, ``preprocessing`` and ``keep``); ``what``
    takes them, for messages. With ``continuous`` (predictions, which need no labels), a
    continuous recording (``mne.io.Raw`` or a file of one) is returned as it is, continuous."""
    refuse_embeddings(data, what)
    window = (preprocessing or PreprocessingConfig()).window_seconds
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not may_hold_epochs(path):
            if continuous:
                rec = as_recording(path, verbose=verbose)
                assert isinstance(rec, Recording)
                return rec
            raise ValueError(
                f"{path}: {_needs_epochs(what, window, 'mne.io.read_raw(path)')}; pass an MNE "
                "epochs file (name ending in -epo.fif), an epoched EEGLAB .set file, an "
                "mne.Epochs or an array [n_epochs, C, T]"
            )
        data = read_epochs_file(path, verbose)
    if is_epochs_list(data):
        with warnings_once():
            # (one Recording each: as_recording gives a list for a list only)
            recs = [
                cast(Recording, as_recording(_read_if_path(d, verbose), verbose=verbose))
                for d in data
            ]
        return merge_epochs(
            recs, rename=rename, preprocessing=preprocessing, verbose=verbose, keep=keep
        )
    if isinstance(data, mne.BaseEpochs):
        rec = cast(Recording, as_recording(data, verbose=verbose))
    elif isinstance(data, Recording):
        rec = data
    elif isinstance(data, mne.io.BaseRaw):
        if continuous:
            rec = as_recording(data, verbose=verbose)
            assert isinstance(rec, Recording)
            return rec
        raise ValueError(f"got a continuous mne.io.Raw, but {_needs_epochs(what, window)}")
    else:
        array = np.asarray(data)
        if array.ndim != 3:
            raise ValueError(
                f"epochs arrays must be [n_epochs, n_channels, n_times], got shape {array.shape}"
            )
        if ch_names is None or sfreq is None:
            raise ValueError(
                "an epochs array needs its channel names and sampling rate beside it: "
                "ch_names=[...], sfreq=... (and units='uV' if it is not in volts), e.g. "
                "probe.predict(X, ch_names=names, sfreq=250)"
            )
        rec = cast(
            Recording,
            as_recording(array, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose),
        )
    if not rec.is_epoched and not continuous:
        raise ValueError(f"{rec.source}: expected epochs [n_epochs, C, T], got {rec.data.shape}")
    return rec


def _needs_epochs(what: str, window: float, read: str = "") -> str:
    """Why ``what`` needs epochs and how to cut them from a continuous recording (``read``:
    how to open it first), for :func:`as_epochs_recording`'s errors."""
    fixed = f"mne.make_fixed_length_epochs(raw, duration={window:g}, preload=True)"
    raw = f"raw = {read}; " if read else ""
    if what == "a probe":  # training and evaluation: labelled epochs
        return (
            "training and evaluating a probe need epochs (one label per epoch); cut them from "
            f"the recording first, e.g. {raw}mne.Epochs(raw, events, event_id, tmin=0, "
            f"tmax={window:g} - 1 / raw.info['sfreq'], baseline=None), or {fixed} with y one "
            "label per epoch (predictions take the recording as it is)"
        )
    return (
        f"{what} transforms epochs (one row per epoch); cut them from the recording first, "
        f"e.g. {raw}epochs = {fixed} (consecutive {window:g} s windows)"
    )


def _read_if_path(data: Any, verbose: Any) -> Any:
    """An epochs file's ``mne.Epochs``; anything else as given."""
    return read_epochs_file(Path(data), verbose) if isinstance(data, (str, os.PathLike)) else data


def is_epochs_list(data: Any) -> bool:
    """A list of ``mne.Epochs`` or of epochs files (``-epo.fif``): several recordings, or what
    scikit-learn's indexing makes of one Epochs object (one per epoch)."""
    return (
        isinstance(data, (list, tuple))
        and bool(data)
        and all(
            isinstance(d, mne.BaseEpochs)
            or (isinstance(d, (str, os.PathLike)) and may_hold_epochs(d))
            for d in data
        )
    )


def merge_epochs(
    recordings: Sequence[Recording],
    *,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    preprocessing: PreprocessingConfig | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
) -> Recording:
    """The epochs of several recordings (subjects, sessions, sites) as one, matched by
    electrode.

    Recordings with the same channel names and sampling rate are stacked as they are. Otherwise
    each one's channels are mapped to the EEGPT vocabulary (``rename`` applies where a name
    occurs) and the first recording's electrodes are taken from every recording in the first's
    order (``EEG Fp1-REF`` and ``Fp1`` are one electrode; one missing anywhere is an error, one
    the first lacks is left out with a warning; with ``keep``, only the electrodes it keeps,
    :func:`~eegpt.channels.map_channels`). Recordings at another rate are resampled to
    ``preprocessing.sfreq`` (256 Hz by default) with its method; if any is, all are.

    Returns
    -------
    Recording
        ``[n_epochs, C, T]`` in volts, with the first recording's channel names.
    """
    first = recordings[0]
    sources = list(dict.fromkeys(r.source for r in recordings))  # pieces of one Epochs: one
    source = sources[0] if len(sources) == 1 else f"{len(recordings)} inputs"
    # every input's stored-but-unapplied projectors, warned of when the merged epochs are used
    projectors = list(dict.fromkeys(p for r in recordings for p in r.projectors or ())) or None
    bads = list(dict.fromkeys(b for r in recordings for b in r.bads or ())) or None
    left_out = {k: v for r in recordings for k, v in (r.left_out or {}).items()} or None
    baseline = merged_baseline(recordings)
    if len(recordings) > 1:  # keys are ignored where a name is missing: say if it is everywhere
        seen = [name for r in recordings for name in [*r.ch_names, *(r.left_out or ())]]
        unmatched = unmatched_rename_warning(rename, seen, len(recordings))
        if unmatched:
            _warn(unmatched)
    if all(r.ch_names == first.ch_names and r.sfreq == first.sfreq for r in recordings):
        stacked = np.concatenate([r.data for r in recordings])
        return Recording(
            stacked, first.ch_names, first.sfreq, source=source, projectors=projectors, bads=bads,
            left_out=left_out, baseline=baseline,
        )  # fmt: skip
    config = preprocessing if preprocessing is not None else PreprocessingConfig()
    with warnings_once():
        mappings = [
            map_channels(
                r.ch_names,
                rename=rename,
                on_missing="ignore",
                verbose=verbose,
                source=r.source,
                left_out=r.left_out,
                keep=keep,
            )  # fmt: skip
            for r in recordings
        ]
    names = mappings[0].names
    same_rate = all(r.sfreq == first.sfreq for r in recordings)
    sfreq = first.sfreq if same_rate else config.sfreq
    parts = []
    for rec, mapping in zip(recordings, mappings, strict=True):
        picked = subset_mapping(
            mapping, names, rec.source, "the first input has", rec.bads, rename,
            fitted_names=mappings[0].input_names, model="inputs",
        )  # fmt: skip
        x = rec.data[:, list(picked.picks), :]
        if rec.sfreq != sfreq:
            x = resample(x, rec.sfreq, sfreq, method=config.resample)
        parts.append(x)
    lengths = sorted({p.shape[-1] for p in parts})
    if len(lengths) > 1:
        raise ValueError(
            f"the inputs' epochs differ in length ({lengths} samples at {sfreq:g} Hz); "
            "cut them to the same length first"
        )
    _log(
        f"merged {len(recordings)} inputs by electrode ({len(names)} channels) at {sfreq:g} Hz",
        verbose,
    )
    return Recording(
        np.concatenate(parts),
        list(mappings[0].input_names),
        sfreq,
        source=source,
        projectors=projectors,
        bads=bads,
        left_out=left_out,
        baseline=baseline,
    )


def merged_baseline(
    recordings: Sequence[Recording],
) -> tuple[float | None, float | None] | None:
    """The interval MNE baseline-corrected the epochs of ``recordings`` over, where they all
    share it (None where none was corrected); where they differ, None, with a warning that
    no single baseline stands for them (so a probe trained on them records none and checks
    none of the data it is used on)."""
    found = list(dict.fromkeys(r.baseline for r in recordings))
    if len(found) == 1:
        return found[0]
    said = ", ".join(
        "none" if b is None else baseline_text(b) for b in found
    )  # in the inputs' order
    _warn(
        f"the {len(recordings)} inputs' epochs were baseline-corrected differently by MNE "
        f"({said}): their channels' offsets differ from input to input, and no one baseline "
        "is recorded for them (a probe trained on them cannot warn of data corrected "
        "otherwise). Make the epochs alike, best with baseline=None (mne.Epochs(..., "
        "baseline=None)), or train with --detrend constant / detrend='constant'"
    )
    return None


def rename_on_missing(data: Any) -> Literal["raise", "ignore"]:
    """``rename`` keys absent from the channels: an error for one input, allowed for several
    (a key may name a channel of another input)."""
    return "ignore" if isinstance(data, (list, tuple)) else "raise"


def labels_of(data: Any, y: Any, n: int) -> np.ndarray:
    if y is None:
        if isinstance(data, mne.BaseEpochs):
            return epochs_labels(data)
        if isinstance(data, (str, os.PathLike)):
            return epochs_labels(_epochs_for_labels(Path(data)))
        if is_epochs_list(data):
            return np.concatenate([epochs_labels(_read_if_path(d, False)) for d in data])
        raise ValueError("labels y are needed (they come from the events only for mne.Epochs)")
    if isinstance(y, (list, tuple)):  # np.asarray would quietly turn 0 into '0'
        check_label_types(y)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must be 1-D with one label per epoch ({n}), got shape {y.shape}")
    missing = [
        i for i, v in enumerate(y.tolist()) if v is None or (isinstance(v, float) and v != v)
    ]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
        raise ValueError(
            f"y has {len(missing)} missing label(s) (None/NaN) at epoch(s) {shown}; leave those "
            "epochs out first, e.g. epochs[~mask] and y[~mask]"
        )
    if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
        example = y[y != np.round(y)][0]
        raise ValueError(
            f"y holds continuous values (e.g. {example:g}), but a probe classifies: give class "
            "labels (names, or integer codes such as epochs.events[:, 2])"
        )
    if y.dtype == object:
        check_label_types(y.tolist())
    return y


def check_label_types(labels: Sequence[Any], where: str = "") -> None:
    """Refuse ``labels`` that mix text with other types (``'1'`` and ``1`` would be two
    classes that print alike, and NumPy cannot sort or join them); missing labels (None) are
    left to the caller. ``where`` says where the labels come from, for the message."""
    text = next((v for v in labels if isinstance(v, str)), None)
    other = next((v for v in labels if v is not None and not isinstance(v, str)), None)
    if text is None or other is None:
        return
    kind = type(other).__name__
    raise ValueError(
        f"labels mix types{where}: str and {kind} (e.g. {text!r} and {other!r}); give all as "
        f"str or all as {kind}, e.g. [str(v) for v in y]"
    )


def _epochs_for_labels(path: Path) -> mne.BaseEpochs:
    """The epochs of a file read again for their labels, quietly (what reading them says was
    said when their data were read): a FIF file without its data, an EEGLAB ``.set`` file
    whole, its epochs named as :func:`read_epochs_file` names them."""
    if path.suffix.lower() != ".set":
        return mne.read_epochs(path, preload=False, verbose=False)
    with ignored_warnings():
        return read_epochs_file(path, "error")


def as_classes(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``labels`` in the type of ``classes`` when they differ only in it (``"1"`` for ``1``:
    labels read from a CSV file vs event codes), else unchanged."""
    known = classes.tolist()
    if set(labels.tolist()) <= set(known):
        return labels
    by_text = {str(c): c for c in known}
    if len(by_text) == len(known) and all(str(v) in by_text for v in labels.tolist()):
        return np.array([by_text[str(v)] for v in labels.tolist()], dtype=classes.dtype)
    return labels


def _event_codes(data: Any) -> np.ndarray | None:
    """The event codes of the epochs ``data`` (an ``mne.Epochs``, an epochs file or a list of
    them); None for other data."""
    if isinstance(data, (str, os.PathLike)) and may_hold_epochs(data):
        data = read_epochs_file(Path(data), "error")
    if isinstance(data, mne.BaseEpochs):
        return data.events[:, 2]
    if is_epochs_list(data):
        return np.concatenate([_read_if_path(d, "error").events[:, 2] for d in data])
    return None


def unknown_labels_hint(unknown: list[Any], classes: np.ndarray, data: Any = None) -> str:
    """A hint when epochs' event names (the default ``y``) meet a probe trained on the event
    codes of epochs ``data`` (codes that are among its classes), or names that differ from its
    classes only by MNE's ``/``-separated tags (BrainVision markers are read as
    ``Comment/left``)."""
    known = classes.tolist()
    if all(isinstance(c, (int, np.integer)) for c in known) and any(
        isinstance(v, str) for v in unknown
    ):
        codes = _event_codes(data)
        if codes is not None and set(codes.tolist()) <= set(known):
            return " (the probe's classes are event codes: pass y=epochs.events[:, 2])"
        return ""
    pairs = {}
    for label in unknown:
        alike = [c for c in known if _differ_by_tags(label, c)]
        if len(alike) != 1:
            return ""
        pairs[str(label)] = str(alike[0])
    return f" ({_tags_advice(pairs, 'they differ from the classes')})"


def _tags(label: Any) -> set[str]:
    """The ``/``-separated tags of a label, as MNE joins event names (``Comment/left``)."""
    return set(str(label).split("/"))


def _differ_by_tags(a: Any, b: Any) -> bool:
    """Whether labels ``a`` and ``b`` differ only by MNE's ``/``-separated tags (the tags of
    one are among the other's: ``'Comment/left'`` and ``'left'``, ``'seizure/seizure'`` and
    ``'seizure'``)."""
    return _tags(a) <= _tags(b) or _tags(b) <= _tags(a)


def _tags_advice(pairs: Mapping[str, str], subject: str, command_line: bool = True) -> str:
    """``"<subject> only by MNE's '/'-separated tags ...: name the events alike ..."``, with
    ``pairs`` (a label: the one it stands for) as examples of the names to give.
    ``command_line``: also name the probe's command-line options for the labels."""
    shown = ", ".join(f"{a!r} as {b!r}" for a, b in list(pairs.items())[:3])
    return (
        f"{subject} only by MNE's '/'-separated tags, as BrainVision markers read as "
        "'Comment/left' and epochs read with mne.read_epochs_eeglab, named by all their "
        "events ('left/artifact'; eegpt names the epochs of a .set file by their time-locking "
        "event where it can read the file: pass its path, or the epochs "
        "mne.read_epochs_eeglab returns), do: name the events alike when cutting the epochs "
        f"({shown}: mne.Epochs(..., event_id={{name: code}})), or give the labels: y=..."
        + (", on the command line --labels CSV or --label-column" if command_line else "")
    )


def _tagged_classes_warning(classes: np.ndarray, command_line: bool = True) -> str | None:
    """What to say when training classes differ from one another only by MNE's
    ``/``-separated tags (each tagged class named with the plainest such class); None when
    none do. ``command_line``: with the probe's command-line options."""
    known = classes.tolist()
    pairs = {}
    for label in known:
        plainer = [
            c
            for c in known
            if _tags(c) <= _tags(label) and str(c).count("/") < str(label).count("/")
        ]
        if plainer:
            pairs[str(label)] = str(min(plainer, key=lambda c: str(c).count("/")))
    if not pairs:
        return None
    listed = ", ".join(f"{a!r} and {b!r}" for a, b in pairs.items())
    return (
        f"the training labels {listed} are classes of their own, each learnt apart; "
        + _tags_advice(pairs, "they differ", command_line)
    )


def event_names_hint(classes: np.ndarray) -> str:
    """How to name epochs' events as the classes, ``epochs.event_id = {'left': CODE, ...}``
    (empty unless the classes are text, as event names are)."""
    known = classes.tolist()
    if not all(isinstance(c, str) for c in known):
        return ""
    shown = ", ".join(f"{c!r}: CODE" for c in known[:4]) + (", ..." if len(known) > 4 else "")
    return f"epochs.event_id = {{{shown}}}"


def subset_mapping(
    mapping: ChannelMapping,
    names: Sequence[str],
    source: str,
    fitted: str = "the probe was trained on",
    bads: Sequence[str] | None = None,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    *,
    fitted_names: Sequence[str] | None = None,
    model: Literal["probe", "embedder", "inputs"] = "probe",
) -> ChannelMapping:
    """``mapping`` restricted to the vocabulary ``names``, in that order (that of training, so
    the same data give the same numbers); ``fitted`` names the model in messages, ``bads``
    are the channels of ``info["bads"]`` left out of the recording (:attr:`Recording.bads`),
    named by the vocabulary as ``rename`` or the usual rules would. ``fitted_names`` are the
    channels ``names`` as the fitted data named them (else the montage spelling), and
    ``model`` says what to leave a missing channel out of: the probe's training, the
    scikit-learn embedder's fit (Python only), or every input being merged."""
    where = {name: k for k, name in enumerate(mapping.names)}
    missing = [name for name in names if name not in where]
    if missing:
        table = rename_table(rename)
        marked = {normalize_channel_name(table.get(b) or b) or b: b for b in bads or ()}
        bad = [marked[name] for name in missing if name in marked]
        absent = [name for name in missing if name not in marked]
        spelled = dict(zip(names, fitted_names or (), strict=False))
        text = f"{source}: {fitted} {len(names)} channels, but "
        if bad:
            text += (
                f"{bad} are marked bad here (info['bads']) and were left out: repair them "
                "(interpolate_bads() of the Raw or Epochs) or clear info['bads']"
            )
            if model == "inputs":  # or do without them: by their names here and in the first
                first = [spelled.get(name, name) for name in missing if name in marked]
                text += (
                    ", or train on the channels all inputs share, leaving these out of every "
                    f"input ({how_to_drop(list(dict.fromkeys([*bad, *first])), bool(table))})"
                )
        if absent:
            named = [spelled.get(name) or montage_spelling(name) for name in absent]
            text += "; and " if bad else ""
            text += _missing_channels_text(absent, named, mapping, table, model)
        raise ValueError(text)
    k = [where[name] for name in names]
    extra = [mapping.input_names[i] for i in range(len(mapping.names)) if i not in set(k)]
    if extra:
        _warn(
            f"{source}: channel(s) {extra} are not used: {fitted} "
            f"{len(names)} channels ({', '.join(names)})"
        )
    inputs = tuple(mapping.input_names[i] for i in k)
    # (the rename's provenance kept, with the distances of the channels that remain)
    return replace(
        mapping,
        input_names=inputs,
        names=tuple(names),
        picks=tuple(mapping.picks[i] for i in k),
        chan_ids=tuple(mapping.chan_ids[i] for i in k),
        dropped=mapping.dropped + tuple(extra),
        referential={inp: ref for inp, ref in mapping.referential.items() if inp in inputs},
        rename_distances_mm={
            inp: mm for inp, mm in mapping.rename_distances_mm.items() if inp in inputs
        },
    )


def _missing_channels_text(
    absent: list[str],
    named: list[str],
    mapping: ChannelMapping,
    table: Mapping[str, str | None],
    model: Literal["probe", "embedder", "inputs"],
) -> str:
    """What :func:`subset_mapping` says of the electrodes ``absent`` (vocabulary names;
    ``named`` as the fitted data name them) that the data lack: adding them or leaving them
    out of ``model``, after a rename hint when channels of the data that could be electrodes
    (not ``EKG1``, ``PHOTIC``, ``A1``) were dropped as unknown (a misspelling?); command-line
    options except for the embedder (Python only)."""
    found = list(mapping.input_names)
    if len(absent) <= 8:
        text = f"{absent} are missing here (found {few(found, 12)})"
    else:
        text = (
            f"{len(absent)} of them are missing here ({few(absent, 8)}; found "
            f"{count(len(found), 'channel')}: {few(found, 12)})"
        )
    unknown = [  # dropped as unknown, and possibly an electrode under another spelling
        name
        for name in mapping.dropped
        if table.get(name, "") is not None and may_be_electrode(name)
    ]
    advice = _add_or_leave_out(absent, named, table, model)
    if unknown:
        alike = [
            (name, close[0])
            for name in unknown
            if (close := difflib.get_close_matches(name.strip().upper(), absent, 1, 0.5))
        ]
        key, target = alike[0] if alike else (unknown[0], absent[0])
        target = named[absent.index(target)]
        one = len(unknown) == 1
        command = f" (command line: --rename {shlex.quote(f'{key}={target}')})"
        return text + (
            f"; {'channel' if one else 'channels'} {few(unknown, 8)} "
            f"{'matches' if one else 'match'} no EEGPT channel name and "
            f"{'was' if one else 'were'} dropped: if {key} is {target}, map it with "
            f"rename={{{key!r}: {target!r}}}"
            + ("" if model == "embedder" else command)
            + f"; otherwise{advice}"
        )
    return text + advice


def _add_or_leave_out(
    absent: list[str],
    named: list[str],
    table: Mapping[str, str | None],
    model: Literal["probe", "embedder", "inputs"],
) -> str:
    """``": add it to the data ... or train the probe without it (...)"``: the two ways on
    for electrodes ``absent`` (``named`` as the fitted data name them) that the data lack."""
    it = "it" if len(absent) == 1 else "them"
    listed = repr(named) if len(absent) <= 4 else "names"
    if len(absent) <= 4:
        python = ", ".join(f"{name!r}: None" for name in named)
        python = f"add {python} to rename" if table else f"rename={{{python}}}"
        drop = how_to_drop(named, merged=bool(table))
    else:
        python = "rename={NAME: None} for each"
        drop = f"{python}; command line: --drop NAME for each"
    leave_out = {
        "probe": f"train the probe without {it} ({drop}, named as in the training data)",
        "embedder": f"fit the embedder without {it} (EEGPTEmbedder: {python})",
        "inputs": f"leave {it} out of every input ({drop})",
    }[model]
    where = f"names being the {len(absent)} missing channels, " if listed == "names" else ""
    return (
        f": add {it} to the data, e.g. interpolated from the other channels in MNE ({where}"
        f"inst.add_reference_channels({listed}) adds {it} flat; then, with the channels' "
        f"positions set (inst.set_montage), inst.info['bads'] = {listed}; "
        f"inst.interpolate_bads()), or {leave_out}"
    )


def _channel_key(name: str) -> str:
    """The electrode a channel name stands for, else the name up to case and spaces."""
    return normalize_channel_name(name) or name.strip().upper()


def _projection_windows(
    rec: Recording,
    input_names: Sequence[str],
    config: PreprocessingConfig,
    warn_reference: bool = True,
) -> np.ndarray:
    """Windows of the channels ``input_names`` in that order (any names; for a projection).

    A name the data do not have as such is matched by electrode (``"EEG FP1-REF"`` for
    ``"Fp1"``, as :func:`eegpt.channels.normalize_channel_name` maps names) or, for names
    outside the vocabulary, up to case and surrounding spaces, when one channel matches.
    ``warn_reference``: warn of average referencing of 2 channels (training; not predictions,
    whose preprocessing is the trained probe's)."""
    position = {name: i for i, name in enumerate(rec.ch_names)}
    by_key: dict[str, list[int]] = {}
    for i, name in enumerate(rec.ch_names):
        by_key.setdefault(_channel_key(name), []).append(i)
    columns, missing, ambiguous = [], [], {}
    for name in input_names:
        found = [position[name]] if name in position else by_key.get(_channel_key(name), [])
        if len(found) == 1:
            columns.append(found[0])
        elif found:
            ambiguous[name] = [rec.ch_names[i] for i in found]
        else:
            missing.append(name)
    if missing or ambiguous:
        text = (
            f"{rec.source}: the probe's channel projection takes channels {list(input_names)}, but "
        )
        text += f"{missing} are missing (the data have {rec.ch_names})" if missing else ""
        text += "; and " if missing and ambiguous else ""
        text += "".join(
            f"{name!r} could be any of {names}" for name, names in list(ambiguous.items())[:3]
        )
        raise ValueError(text + "; name them as in training (raw.rename_channels({...}))")
    warn_unapplied_projectors(
        rec.projectors, input_names, rec.source, average_reference=config.average_reference,
        epoched=rec.is_epoched,
    )  # fmt: skip
    x = rec.data[..., columns, :]  # a float64 copy
    check_reference_channels(config, x.shape[-2], rec.source, warn=warn_reference)
    if config.average_reference:
        x -= x.mean(axis=-2, keepdims=True)
    x = resample(x, rec.sfreq, config.sfreq, method=config.resample) * config.scale
    n_times, window = x.shape[-1], config.n_samples
    if not rec.is_epoched:  # a continuous recording (predictions): consecutive windows
        check_length(n_times, rec.duration, rec.source, config)
        starts = window_starts(
            n_times, window, config.step_samples, config.tail, config.start_samples
        )
        windows = cut_windows(x, starts, window, config.detrend)[0]
        check_windows(windows, rec.source, config)  # samples beyond float32's range
        return windows
    if n_times > window or (n_times < window and config.tail == "drop"):
        raise ValueError(
            f"{rec.source}: epochs have {n_times} samples at {config.sfreq:g} Hz but a window "
            f"has {window} ({config.window_seconds:g} s); crop the epochs to the window length "
            f"({crop_call(config.window_seconds)}) or change "
            "window_seconds; shorter epochs can be zero-padded with tail='pad'"
        )
    detrend_windows(x, n_times, config.detrend)  # float64, before the cast
    out = np.zeros((x.shape[0], x.shape[1], window), dtype=np.float32)
    with quiet_float32_overflow():
        out[..., :n_times] = x
    check_windows(out, rec.source, config)  # samples beyond float32's range
    return out


# --------------------------------------------------------------------------------------------
# Encoder identity and embedding cache
# --------------------------------------------------------------------------------------------


class EmbeddingCache:
    """Summary tokens of frozen-encoder inputs, kept so that repeated training skips the encoder.

    Entries are keyed by :meth:`key`: the encoder's weights (:func:`encoder_fingerprint`), the
    exact model-ready windows (which fold in the data and every preprocessing step), the channel
    ids, the numeric precision and the preprocessing settings. A cache hit is therefore always the
    embedding the encoder would compute now.

    Parameters
    ----------
    directory : str | Path | None
        Also keep entries as ``<key>.npy`` files in this folder (created when needed), so they
        survive the process. ``None``: memory only.
    max_bytes : int
        Memory budget; the least recently used entries are evicted beyond it (files stay).

    Attributes
    ----------
    hits, misses : int
        Look-ups answered from the cache, and look-ups that ran the encoder.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_bytes: int = 1 << 30):
        self.directory = None if directory is None else Path(directory).expanduser()
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()

    def __repr__(self) -> str:
        where = f", directory={str(self.directory)!r}" if self.directory else ""
        return (
            f"EmbeddingCache({len(self._memory)} in memory, {self.nbytes / 2**20:.1f} MiB"
            f"{where}, hits={self.hits}, misses={self.misses})"
        )

    @property
    def nbytes(self) -> int:
        """Bytes held in memory."""
        return sum(a.nbytes for a in self._memory.values())

    @staticmethod
    def key(
        *,
        fingerprint: str,
        windows: np.ndarray,
        chan_ids: Sequence[int],
        precision: str,
        preprocessing: PreprocessingConfig | None = None,
    ) -> str:
        """Hex SHA-256 naming one (encoder, windows, channels, precision, preprocessing)."""
        h = hashlib.sha256(b"eegpt-embeddings-v1|")
        h.update(fingerprint.encode())
        h.update(f"|{precision}|{list(map(int, chan_ids))}|".encode())
        if preprocessing is not None:  # without detrend "none", as keys from before it was
            settings = preprocessing.to_dict()  # recorded always: cached entries stay found
            if settings["detrend"] == "none":
                del settings["detrend"]
            if not settings["start_seconds"]:  # likewise (the windows' samples are hashed)
                del settings["start_seconds"]
            h.update(json.dumps(settings, sort_keys=True).encode())
        w = np.ascontiguousarray(windows, dtype=np.float32)
        h.update(f"|{w.shape}|".encode())
        h.update(w.data.cast("B"))
        return h.hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        """The stored array (read-only), or ``None``; counts a hit or a miss."""
        if key in self._memory:
            self._memory.move_to_end(key)
            self.hits += 1
            return self._memory[key]
        if self.directory is not None:
            path = self.directory / f"{key}.npy"
            if path.exists():
                array = np.load(path, allow_pickle=False)
                self._remember(key, array)
                self.hits += 1
                return self._memory.get(key, array)
        self.misses += 1
        return None

    def put(self, key: str, array: np.ndarray) -> None:
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self.directory / f"{key}.npy", lambda fh: np.save(fh, array))
        self._remember(key, array)

    def _remember(self, key: str, array: np.ndarray) -> None:
        array = np.asarray(array)
        array.setflags(write=False)
        if array.nbytes > self.max_bytes:
            return
        self._memory[key] = array
        self._memory.move_to_end(key)
        while self.nbytes > self.max_bytes:
            self._memory.popitem(last=False)

    def clear(self) -> None:
        """Forget the entries in memory (files in ``directory`` are left alone)."""
        self._memory.clear()


_DEFAULT_CACHE = EmbeddingCache()


def default_cache() -> EmbeddingCache:
    """The process-wide in-memory cache used when ``cache=True`` (1 GiB, least recently used)."""
    return _DEFAULT_CACHE


def _resolve_cache(
    cache: EmbeddingCache | str | os.PathLike | bool | None,
) -> EmbeddingCache | None:
    if cache is True:
        return _DEFAULT_CACHE
    if cache is None or cache is False:
        return None
    if isinstance(cache, EmbeddingCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return EmbeddingCache(cache)
    raise TypeError(f"cache must be a bool, a folder or an EmbeddingCache, got {cache!r}")


def embed_windows(
    model: EEGPT | EEGPTEncoder,
    windows: np.ndarray,
    chan_ids: Sequence[int],
    *,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    batch_size: int | None = None,
    cache: EmbeddingCache | str | os.PathLike | bool | None = True,
    preprocessing: PreprocessingConfig | None = None,
    progress: bool = False,
    stream_precision: Precision = "float32",
) -> np.ndarray:
    """Frozen-encoder summary tokens of model-ready windows, through the cache.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        Only the encoder is used (no channel projection, no head).
    windows : ndarray, shape (n, C, T)
        Model units (mV), as :func:`eegpt.preprocessing.prepare` makes them.
    chan_ids : sequence of int, length C
        Vocabulary rows of the channels.
    cache : EmbeddingCache | str | Path | bool | None
        ``True``: the process-wide :func:`default_cache`; a folder: an on-disk cache there;
        ``False``/``None``: always run the encoder.
    stream_precision : {"float32", "float16", "bfloat16"}
        The engine's residual-stream dtype (:class:`~eegpt.engine.InferenceEngine`), with a
        reduced ``precision``; it changes the embeddings' last bits, so the cache keeps them
        apart.

    Returns
    -------
    ndarray of float32, shape (n, N, S, D)
        Read-only when it comes from the cache.
    """
    encoder = encoder_of(model)
    store = _resolve_cache(cache)
    key = None
    if store is not None:
        key = EmbeddingCache.key(
            fingerprint=encoder_fingerprint(encoder),
            windows=windows,
            chan_ids=chan_ids,
            # as before the option for a float32 stream: entries cached then stay found
            precision=precision
            if stream_precision == "float32"
            else f"{precision}/stream {stream_precision}",
            preprocessing=preprocessing,
        )
        found = store.get(key)
        if found is not None:
            return found
    engine = InferenceEngine(
        encoder, device=device, precision=precision, batch_size=batch_size,
        fused=encoder.fused, stream_precision=stream_precision,
    )  # fmt: skip
    z = engine.encode(windows, chan_ids, progress=progress)
    if store is not None and key is not None:
        store.put(key, z)
    return z


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def probe_metrics(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    proba: np.ndarray | None = None,
    classes: npt.ArrayLike | None = None,
) -> dict[str, float]:
    """The paper's downstream metrics.

    Parameters
    ----------
    y_true, y_pred : sequence, shape (n,)
        True and predicted labels.
    proba : ndarray, shape (n, n_classes) | None
        Class probabilities, columns in ``classes`` order; needed for AUROC.
    classes : sequence | None
        All class labels in column order (default: the sorted labels seen).

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``balanced_accuracy``, ``cohen_kappa``, ``weighted_f1`` and
        ``auroc`` (binary: ROC AUC of the second class's probability; more classes: one-vs-rest,
        macro-averaged; NaN without ``proba`` or when ``y_true`` holds a single class), all as
        fractions in [0, 1] (kappa in [-1, 1]).
    """
    metrics_module = sklearn_metrics()
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if classes is None:
        classes = np.unique(np.concatenate([y_true, y_pred]))
    classes = np.asarray(classes)
    # one class in y_true: kappa and AUROC are NaN, which format_metrics says in words
    with ignored_warnings(UserWarning, RuntimeWarning):
        return _probe_metrics(metrics_module, y_true, y_pred, proba, classes)


def _probe_metrics(metrics_module, y_true, y_pred, proba, classes) -> dict[str, float]:
    out = {
        "n": int(len(y_true)),
        "accuracy": float(metrics_module.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(metrics_module.balanced_accuracy_score(y_true, y_pred)),
        "cohen_kappa": float(metrics_module.cohen_kappa_score(y_true, y_pred, labels=classes))
        if len(np.unique(y_true)) > 1
        else float("nan"),  # with one class the formula gives 0 whatever the predictions
        "weighted_f1": float(
            metrics_module.f1_score(
                y_true, y_pred, labels=classes, average="weighted", zero_division=0
            )
        ),
        "auroc": float("nan"),
    }
    if proba is not None and len(np.unique(y_true)) > 1:
        proba = np.asarray(proba, dtype=np.float64)
        if len(classes) == 2:
            out["auroc"] = float(metrics_module.roc_auc_score(y_true == classes[1], proba[:, 1]))
        else:
            present = np.isin(classes, y_true)
            scores = proba[:, present]
            scores = scores / np.clip(scores.sum(axis=1, keepdims=True), 1e-12, None)
            if present.sum() == 2:
                out["auroc"] = float(
                    metrics_module.roc_auc_score(y_true == classes[present][1], scores[:, 1])
                )
            else:
                out["auroc"] = float(
                    metrics_module.roc_auc_score(
                        y_true,
                        scores,
                        multi_class="ovr",
                        average="macro",
                        labels=classes[present],
                    )
                )
    return out


def format_metrics(metrics: Mapping[str, float]) -> str:
    """One line in the paper's style (percent), e.g. ``BAC 84.17% | kappa 68.33% | ...``."""

    def percent(name: str) -> str:
        value = float(metrics.get(name, float("nan")))
        return "n/a" if math.isnan(value) else f"{100 * value:.2f}%"

    parts = [
        f"BAC {percent('balanced_accuracy')}",
        f"Cohen's kappa {percent('cohen_kappa')}",
        f"weighted F1 {percent('weighted_f1')}",
        f"AUROC {percent('auroc')}",
        f"accuracy {percent('accuracy')} (n={metrics['n']})",
    ]
    line = " | ".join(parts)
    if "n/a" in line:
        line += " (n/a: undefined here, e.g. with one class in the data)"
    return line


def sklearn_metrics():
    try:
        from sklearn import metrics
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            f"probe metrics need scikit-learn: {install_hint('sklearn')}"
        ) from err
    return metrics


def evaluation_warning(y_true: np.ndarray, classes: np.ndarray) -> str | None:
    """What to say of test labels ``y_true`` (among ``classes``) that lack some of the
    classes, e.g. a single class: the scores then flatter the probe; None otherwise."""
    index = {c: i for i, c in enumerate(classes.tolist())}
    y = np.array([index[v] for v in np.asarray(y_true).tolist()], dtype=np.int64)
    absent = absent_classes_text(y, classes, "the evaluation data")
    if absent is None:
        return None
    return (
        f"{absent}; Cohen's kappa and AUROC need two classes. Evaluate on epochs of every "
        "class, or read the confusion matrix rather than these scores."
    )


def checked_metrics(metrics: dict[str, Any], y_true: np.ndarray, classes: np.ndarray) -> None:
    """Warn of test labels lacking classes (:func:`evaluation_warning`) and keep the text in
    ``metrics["warnings"]`` (present only then)."""
    said = evaluation_warning(y_true, classes)
    if said:
        _warn(said)
        metrics["warnings"] = [said]


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
    by ``eegpt info``), and a "not pretrained" mark kept."""
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
    }


def encoder_reference(model: EEGPT | EEGPTEncoder) -> dict[str, Any]:
    """A probe's ``encoder`` record of ``model``: its checkpoint file (``path``, ``format``,
    file ``sha256``), ``pretrained`` (False for random weights: a checkpoint's notes say so,
    or a model built in Python and never loaded or trained,
    :attr:`~eegpt.model.EEGPT.has_random_weights`; None where unknown) and
    ``weights_sha256``, the :func:`encoder_fingerprint` of its weights (those a probe is
    trained on, or a fine-tuning starts from)."""
    info = dict(getattr(model, "checkpoint_info", None) or {})
    pretrained = (info.get("notes") or {}).get("pretrained")
    if pretrained is None and isinstance(model, EEGPT) and model.has_random_weights:
        pretrained = False
    return {
        "path": info.get("path"),
        "format": info.get("format"),
        "sha256": info.get("sha256") or None,
        "pretrained": pretrained,
        "weights_sha256": encoder_fingerprint(model),
        "config": encoder_of(model).config.to_dict(),
    }


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
        rename: dict[str, str | None] | str | None = None,
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
        units: Literal["V", "mV", "uV", "µV"] = "V",
        rename: dict[str, str | None] | None = None,
        keep: str | Sequence[str] | None = None,
        overlap: float | None = None,
        verbose: bool | str | int | None = None,
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
        """
        keep = self._checked_keep(keep)
        on_missing = rename_on_missing(data)
        table: dict[str, str | None] | str | None = rename
        if rename is None and self.rename:  # training's: for the channels these data have
            table, on_missing = self.rename, "ignore"
        rec = as_epochs_recording(
            data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose, rename=table,
            preprocessing=self.preprocessing, continuous=True, keep=keep,
        )  # fmt: skip
        self._check_epoch_length(rec)
        self._check_baseline(
            rec.baseline, f"{rec.source}'s {'epochs' if rec.is_epoched else 'windows'}"
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
        if self.config.chan_proj:
            return _projection_windows(rec, self.input_names, config, warn_reference=False)
        mapping = map_channels(
            rec.ch_names, rename=table, on_missing=on_missing, verbose=verbose, source=rec.source,
            left_out=rec.left_out, keep=keep,
        )  # fmt: skip
        mapping = subset_mapping(mapping, self.input_names, rec.source, bads=rec.bads, rename=table)
        # predictions: data all flat warn (prepare's rule), as a loop predicting epoch by
        # epoch goes on; the trained preprocessing is fixed: its reference was warned of then
        return prepare(
            rec, mapping, config, refuse_flat=False, warn_reference=False, verbose=verbose
        ).data

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
        return self._with_overlap(overlap or 0.0)

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
            f"crop them, e.g. {crop_call(window)} (MNE's tmax is inclusive)"
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
        frozen = self.frozen_encoder and not self.config.chan_proj
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

    @honours_verbose
    def decision_function(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Logits ``[n_epochs, n_classes]``; keyword arguments of :meth:`predict_proba`.

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

    def _check_baseline(self, given: Sequence[float | None] | None, what: str) -> None:
        """Warn when this probe was trained on epochs MNE baseline-corrected and ``what`` (the
        data to predict; ``given``: their baseline interval, None for none) were not, or over
        another interval: each channel's offset differs from the training data's. Probes saved
        before the training data's baseline was recorded are not checked."""
        trained = _baseline_record(self.training.get("epochs_baseline"))
        given = _baseline_record(given)
        if trained is None or given == trained:
            return
        done = "are not" if given is None else f"were corrected over {baseline_text(given)}"
        _warn(
            f"this probe was trained on epochs that MNE baseline-corrected over "
            f"{baseline_text(trained)} (each channel's mean over that interval subtracted: "
            f"mne.Epochs' default baseline), but {what} {done}, so their channels' offsets "
            "differ from those of the training data and the probe's predictions on them mean "
            "less. Train the probe on epochs made with baseline=None (mne.Epochs(..., "
            "baseline=None)), or with detrend='constant' (--detrend constant: each window's "
            "mean taken out alike in training, epochs, recordings and streams)"
        )

    @honours_verbose
    def online(
        self,
        ch_names: Sequence[str],
        sfreq: float,
        *,
        units: Literal["V", "mV", "uV", "µV"] = "V",
        overlap: float | None = None,
        start_seconds: float = 0.0,
        rename: dict[str, str | None] | None = None,
        on_unknown: str = "drop",
        device: Any = None,
        precision: Precision = "float32",
        batch_size: int | None = None,
        engine: InferenceEngine | None = None,
        skip_stale: bool = False,
        warm_up: bool = True,
        gap_tolerance: float = 0.02,
        verbose: bool | str | int | None = None,
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
        config = replace(self.preprocessing, overlap=0.0, start_seconds=float(start_seconds))
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
            # the hop, the start and the tail cut a recording; each window is prepared alike
            differ = [
                f"{key}={given[key]!r} (the probe's: {value!r})"
                + (" (recorded before the field was)" if key not in meta["preprocessing"] else "")
                for key, value in trained.items()
                if key not in ("overlap", "start_seconds", "tail")
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
        verbose: bool | str | int | None = None,
        **other: Any,
    ) -> np.ndarray:
        """Logits ``[n, n_classes]`` of the head on embeddings ``emb`` (checked first)."""
        if other:
            raise TypeError(
                f"{sorted(other)} apply to EEG input; embeddings take device and batch_size only"
            )
        self._check_embeddings(emb)
        if not isinstance(self._warned, dict):  # pickled by an earlier eegpt, which kept a set
            self._warned = {}
        with each_warning_once(self._warned):  # once for a stream's pushes, not at each
            stream = emb.metadata.get("source") == "<stream>"  # as probe.online said it
            what = "a live stream's windows" if stream else "these embeddings"
            self._check_baseline(emb.metadata.get("epochs_baseline"), what)
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

    def predict_proba(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Class probabilities ``[n_windows, n_classes]`` (softmax of the logits).

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
        **kwargs
            ``ch_names``, ``sfreq``, ``units``, ``rename``, ``keep``, ``overlap``, ``verbose``
            (input) and ``device``, ``precision``, ``stream_precision``, ``batch_size``,
            ``cache`` (inference). ``overlap`` (seconds; default none) cuts a continuous
            recording into overlapping windows, ``window_seconds - overlap`` apart: sliding-
            window predictions offline, as :meth:`online` gives them live
            (``probe.predict_proba(raw, overlap=3.5)``: one row every 0.5 s of 4 s windows,
            window ``k`` at ``probe.window_onsets(n, overlap=3.5)[k]``); see :meth:`windows`.
        """
        logits = self.decision_function(data, **kwargs)
        return row_softmax(logits)

    def predict(self, data: Any, **kwargs: Any) -> np.ndarray:
        """Predicted labels ``[n_windows]`` (from ``classes_``), one per epoch or per window of a
        continuous recording; see :meth:`predict_proba`."""
        return self.classes_[self.predict_proba(data, **kwargs).argmax(axis=1)]

    def evaluate(self, data: Any, y: Any = None, **kwargs: Any) -> dict[str, Any]:
        """:func:`probe_metrics` on labelled epochs (``y=None``: labels from Epochs events).

        Labels lacking some of the probe's classes (e.g. all of one class) are warned about,
        and the warning is kept in the result's ``"warnings"`` (a list, present only then):
        the balanced accuracy of one class is 1.0 for a probe that always predicts it."""
        self._refuse_continuous(data)
        proba = self.predict_proba(data, **kwargs)
        labels = self._known_labels(data, y, len(proba))
        pred = self.classes_[proba.argmax(axis=1)]
        metrics: dict[str, Any] = probe_metrics(labels, pred, proba, self.classes_)
        checked_metrics(metrics, labels, self.classes_)
        return metrics

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
        verbose: bool | None = None,
    ) -> EEGPTProbe:
        """See :func:`load_probe`."""
        return load_probe(directory, model, device=device, verbose=verbose)


def _keep_list(keep: str | Sequence[str]) -> list[str]:
    """``keep`` as the list of its items (``"10-20,-C3"`` -> ``["10-20", "-C3"]``), as a probe
    records it."""
    items = keep.split(",") if isinstance(keep, str) else list(keep)
    return [str(item).strip() for item in items if str(item).strip()]


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    input_keys = {"ch_names", "sfreq", "units", "rename", "keep", "overlap", "verbose"}
    run_keys = {"device", "precision", "batch_size", "cache", "stream_precision"}
    unknown = sorted(set(kwargs) - input_keys - run_keys)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {unknown}")
    return (
        {k: v for k, v in kwargs.items() if k in input_keys},
        {k: v for k, v in kwargs.items() if k in run_keys},
    )


def row_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"class labels must be str, int, float or bool to be saved, got {value!r}")


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass
class _TrainingData:
    windows: np.ndarray  # [n, C, T] model units
    y: np.ndarray  # [n] class indices
    input_names: tuple[str, ...]
    encoder_names: tuple[str, ...]
    input_shape: tuple[int, int] = (0, 0)  # channels and samples per epoch of the data given
    # the interval MNE baseline-corrected the epochs over (epochs.baseline), None if it did not
    baseline: tuple[float | None, float | None] | None = None


def _prepare_training_data(
    data: Any,
    y: Any,
    *,
    classes: np.ndarray | None,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    units: Literal["V", "mV", "uV", "µV"],
    rename: dict[str, str | None] | None,
    preprocessing: PreprocessingConfig,
    config: ProbeConfig,
    input_names: Sequence[str] | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
) -> tuple[_TrainingData, np.ndarray]:
    """Windows and class indices; ``input_names`` fixes the channels (validation data),
    ``keep`` restricts them (:func:`~eegpt.channels.map_channels`; not with a projection)."""
    rec = as_epochs_recording(
        data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose, rename=rename,
        preprocessing=preprocessing, keep=keep,
    )  # fmt: skip
    labels = labels_of(data, y, rec.data.shape[0])
    if classes is not None:
        labels = as_classes(labels, classes)
    else:
        classes = np.unique(labels)
        if len(classes) < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {classes.tolist()}")
    index = {c: k for k, c in enumerate(classes.tolist())}
    unknown = sorted({str(c) for c in labels.tolist() if c not in index})
    if unknown:
        raise ValueError(f"labels {unknown} do not occur in the training labels")
    y_idx = np.array([index[c] for c in labels.tolist()], dtype=np.int64)
    if config.chan_proj:
        names = tuple(input_names) if input_names is not None else tuple(rec.ch_names)
        windows = _projection_windows(rec, names, preprocessing)
        target = tuple(normalize_channel_name(n) for n in config.target_channels)
        shape = (rec.n_channels, rec.n_times)
        train = _TrainingData(windows, y_idx, names, target, shape, rec.baseline)  # type: ignore[arg-type]
        return train, classes
    mapping = map_channels(
        rec.ch_names, rename=rename, on_missing=rename_on_missing(data), verbose=verbose,
        source=rec.source, left_out=rec.left_out, keep=keep,
    )  # fmt: skip
    if input_names is not None:
        mapping = subset_mapping(mapping, input_names, rec.source, bads=rec.bads, rename=rename)
    windows = prepare(rec, mapping, preprocessing, verbose=verbose).data
    shape = (rec.n_channels, rec.n_times)
    train = _TrainingData(windows, y_idx, mapping.names, mapping.names, shape, rec.baseline)
    return train, classes


def split_training_data(
    data: Any,
    y: Any,
    validation: Any,
    seed: int,
    groups: Any = None,
    *,
    command_line: bool = True,
    **common: Any,
) -> tuple[_TrainingData, tuple[np.ndarray, np.ndarray] | None, np.ndarray, dict[str, Any]]:
    """Training windows, validation ``(windows, y)`` or None, the class labels, and how the
    validation data were chosen (the training record's ``validation``).

    ``validation`` is a fraction of ``data`` held out (stratified, seeded; with ``groups``,
    one value per epoch, whole groups: :func:`~eegpt.training.group_split`), a ``(data, y)``
    pair prepared like the training data, or None. ``command_line``: the warnings also name the command
    line's options (the probe's; fine-tuning has none).
    """
    train, classes = _prepare_training_data(data, y, classes=None, **common)
    tagged = _tagged_classes_warning(classes, command_line)
    if tagged:
        _warn(tagged)
    is_fraction = isinstance(validation, (int, float)) and not isinstance(validation, bool)
    if groups is not None and not is_fraction:
        raise ValueError(
            "groups= choose the epochs a validation fraction holds out; give validation=FRACTION "
            f"with them (got validation={validation!r})"
        )
    if is_fraction:
        record: dict[str, Any] = {"kind": "fraction", "fraction": float(validation)}
        if groups is None:
            tr, va = stratified_split(train.y, float(validation), seed)
            n_recordings = _recording_count(data)
            if n_recordings > 1:
                _warn(per_epoch_split_warning(float(validation), n_recordings, command_line))
        else:
            tr, va, held_out, n_groups = group_split(train.y, groups, float(validation), seed)
            record["groups"] = {"count": n_groups, "held_out": [_jsonable(g) for g in held_out]}
        val = (train.windows[va], train.y[va])
        fraction = float(validation)
        thin = thin_split_warning(train.y[tr], train.y[va], classes, fraction, command_line)
        if thin:
            _warn(thin)
        train = replace(train, windows=train.windows[tr], y=train.y[tr])
        return train, val, classes, record
    if validation is None:
        return train, None, classes, {"kind": "none"}
    if not (isinstance(validation, tuple) and len(validation) == 2):
        raise TypeError("validation must be a fraction, a (data, y) pair or None")
    vdata, _ = _prepare_training_data(
        validation[0], validation[1], classes=classes, input_names=train.input_names, **common
    )
    thin = thin_split_warning(train.y, vdata.y, classes, None, command_line)
    if thin:
        _warn(thin)
    return train, (vdata.windows, vdata.y), classes, {"kind": "held-out data"}


def _recording_count(data: Any) -> int:
    """How many recordings a list of Epochs or epochs files holds (1 for anything else): its
    distinct files, each Epochs made in memory counted as one, except single epochs (the
    pieces scikit-learn's indexing makes of one Epochs), counted together."""
    if not is_epochs_list(data):
        return 1
    keys: set[Any] = set()
    for d in data:
        source = str(d) if isinstance(d, (str, os.PathLike)) else mne_source(d)
        if source != "<Epochs>":  # a file
            keys.add(str(Path(source).expanduser().resolve()))
        else:
            keys.add(id(d) if len(d) > 1 else "<Epochs>")
    return len(keys)


@honours_verbose
def check_training_data(data: Any, epochs: Any, function: str) -> None:
    """Refuse labelled data given as ``epochs=``, which counts training passes (an easy slip
    in MNE, where "epochs" are the data): say where each goes."""
    is_count = isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool)
    if data is None or not is_count:
        given = "no data" if is_count else f"epochs={type(epochs).__name__}"
        raise TypeError(
            f"{function}(model, data, ...) takes the labelled epochs (mne.Epochs, a -epo.fif "
            f"path or an array) as its second argument, data; its epochs= keyword is the number "
            f"of training passes (got {given}). Call {function}(model, my_epochs, epochs=100)."
        )
    refuse_embeddings(data, function)


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


#: Data whose typical amplitude (:func:`typical_amplitude`) is this many times that of a probe's
#: training data, or this many times smaller, are warned about: another unit, most likely.
AMPLITUDE_RATIO = 100.0


def typical_amplitude(windows: np.ndarray) -> float:
    """The median over windows and channels of each one's standard deviation over time, in the
    model's units (millivolts after the scale): a probe's training data's, to tell data in
    another unit apart. Up to 256 windows, spread evenly, are looked at."""
    if not len(windows):
        return 0.0
    step = -(-len(windows) // 256)  # ceil: at most 256
    return float(np.median(np.asarray(windows[::step], dtype=np.float64).std(axis=-1)))


def recording_training_warnings(train: Callable[..., EEGPTProbe]) -> Callable[..., EEGPTProbe]:
    """Keep the texts of the warnings given while ``train`` ran (the first few, each once) in
    the probe's ``training["warnings"]``, saved in ``probe.json`` and shown by ``eegpt info``:
    a probe trained on microvolts as volts says so wherever it goes."""

    @functools.wraps(train)
    def wrapper(*args: Any, **kwargs: Any) -> EEGPTProbe:
        with recorded_warnings() as said:
            probe = train(*args, **kwargs)
        add_training_warnings(probe, said)
        return probe

    return wrapper


def add_training_warnings(probe: EEGPTProbe, said: Sequence[str]) -> None:
    """Put ``said`` (warnings given before the training, such as those of reading its files)
    ahead of the warnings the probe's training recorded (``training["warnings"]``, each text
    once, the first :data:`~eegpt.api.MAX_RECORDED_WARNINGS`)."""
    from eegpt.api import MAX_RECORDED_WARNINGS

    kept = [*said, *probe.training.get("warnings", [])]
    probe.training["warnings"] = warning_texts(kept, MAX_RECORDED_WARNINGS)


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
            "epochs_run": len(fit.history),
            "best_epoch": fit.best_epoch,
            "kept_epoch": fit.kept_epoch,
            "stopped_early": fit.stopped_early,
            "input_shape": list(getattr(train, "input_shape", (0, 0))),
            "typical_amplitude": typical_amplitude(train.windows),
            "epochs_baseline": _baseline_record(getattr(train, "baseline", None)),
            **facts,
            "seconds": round(seconds, 3),
            "device": str(device),
            "precision": precision,
        },
    )


def _baseline_record(
    baseline: Sequence[float | None] | None,
) -> list[float | None] | None:
    """An epochs' MNE baseline interval as a probe's ``training["epochs_baseline"]`` and
    embeddings' ``metadata["epochs_baseline"]`` record it: ``[start, end]`` (s), or None."""
    if baseline is None:
        return None
    return [None if end is None else float(end) for end in baseline]


def trained_on_epochs(preprocessing: PreprocessingConfig) -> PreprocessingConfig:
    """The preprocessing a probe trained on epochs records: ``preprocessing`` with
    ``start_seconds`` and ``overlap`` 0. A start applies to continuous recordings only (the
    epochs were read with a warning that it is ignored), so a probe kept it as if trained on
    windows from there and cut recordings from it at predict with no note; a start belongs to
    a recording (its hypnogram's grid): set it on :attr:`EEGPTProbe.preprocessing` (command
    line ``--start``) for a recording to predict. An overlap did not apply either (one window
    per epoch), and predictions take theirs when asked (:meth:`EEGPTProbe.predict_proba`'s
    ``overlap``, ``--overlap``): kept, it would be warned of at each prediction."""
    if not preprocessing.start_seconds and not preprocessing.overlap:
        return preprocessing
    return replace(preprocessing, start_seconds=0.0, overlap=0.0)


@recording_training_warnings
def train_probe(
    model: EEGPT | EEGPTEncoder,
    data: Any = None,
    y: Any = None,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Literal["V", "mV", "uV", "µV"] = "V",
    rename: dict[str, str | None] | None = None,
    preprocessing: PreprocessingConfig | None = None,
    config: ProbeConfig | None = None,
    validation: float | tuple[Any, Any] | None = None,
    groups: Any = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    cache: EmbeddingCache | str | os.PathLike | bool | None = True,
    progress: bool = False,
    verbose: bool | str | int | None = None,
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
        subjects, also in one Epochs object or array (a warning says so only for a list of
        recordings); give ``groups``, or held-out recordings as
        ``(held_out_data, held_out_y)``, to validate across subjects. How validation was
        chosen is recorded in ``training["validation"]``.
    groups : array-like, shape (n_epochs,) | None
        With a ``validation`` fraction: one value per epoch (e.g. subject ids); the fraction
        then holds out whole groups (about that fraction of the epochs, each class's share
        kept as far as the groups allow, chosen with the seed). Needs at least 2 groups.
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
        Log channel mapping, preprocessing and a training summary.

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
                z_train = embed_windows(encoder, train.windows, chan_ids, **embed)
                z_val = None
                if val is not None:
                    z_val = (embed_windows(encoder, val[0], chan_ids, **embed), val[1])
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
        # absent for float32, as in probes from before the option
        **({} if stream_precision == "float32" else {"stream_precision": stream_precision}),
    )  # fmt: skip
    last = fit.history[-1] if fit.history else {}
    _log(
        f"trained {probe!r} on {len(train.y)} epochs in {probe.training['seconds']:.1f} s: "
        + ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "epoch"),
        verbose,
    )
    return probe


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _read_probe_json(directory: Path) -> dict[str, Any]:
    path = directory / PROBE_JSON
    if not path.exists():
        what = (
            f"{directory} is a file"
            if directory.is_file()
            else f"{directory} does not exist"
            if not directory.exists()
            else f"{PROBE_JSON} is missing"
        )
        raise FileNotFoundError(
            f"no probe at {directory} ({what}): probes are the folders `eegpt probe train` (or "
            "EEGPTProbe.save) writes. A checkpoint with a probe head (the original downstream "
            "scripts', braindecode's) is a model: eegpt.load_model(path), and model(x) gives its "
            "logits"
        )
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    if meta.get("format") != PROBE_FORMAT:
        raise ValueError(f"{path} is not an eegpt probe (format {meta.get('format')!r})")
    if meta.get("format_version", 0) > PROBE_FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer eegpt (format version {meta['format_version']}); "
            "upgrade eegpt to read it"
        )
    return meta


def describe_probe(directory: str | os.PathLike) -> str:
    """What ``eegpt info`` says of a probe folder, from its ``probe.json`` alone (the encoder is
    not loaded): kind, classes, channels, window, encoder reference, training."""
    directory = Path(directory).expanduser()
    meta = _read_probe_json(directory)
    classes = [repr(c) for c in meta.get("classes", [])]
    channels = meta.get("channels") or {}
    names = channels.get("input_names") or []
    pre = meta.get("preprocessing") or {}
    encoder = meta.get("encoder") or {}
    config = encoder.get("config") or {}
    training = meta.get("training") or {}
    history = meta.get("history") or []
    kind = "linear probe (frozen encoder)" if meta.get("frozen_encoder") else "fine-tuned model"
    trained_start = training.get("window_labels") or {}
    if trained_start.get("start_seconds") or trained_start.get("starts"):
        # the windows' start is a recording's, shown on its own line below (not start 0 here)
        pre = {k: v for k, v in pre.items() if k != "start_seconds"}
    lines = [
        f"{directory}: EEGPT {kind}, {len(classes)} classes [{few(classes, 8)}]",
        f"  {len(names)} input channels: {few(list(names), 12)}"
        + (
            f" (kept: --keep-channels {','.join(channels['keep'])}, applied to the data "
            "predicted too)"
            if channels.get("keep")
            else ""
        ),
        f"  windows of {pre.get('window_seconds', '?')} s at {pre.get('sfreq', '?')} Hz "
        f"({meta.get('n_times', '?')} samples)",
        PreprocessingConfig.describe(pre),
        f"  encoder: embed_dim {config.get('embed_dim', '?')}, depth {config.get('depth', '?')}; "
        f"{'checkpoint' if meta.get('frozen_encoder') else 'tuned from checkpoint'} "
        f"{encoder.get('path') or '?'} (sha256 {str(encoder.get('sha256'))[:12]}...)"
        + (", NOT pretrained" if encoder.get("pretrained") is False else ""),
    ]
    if (meta.get("probe") or {}).get("chan_proj"):
        inner = channels.get("encoder_names") or []
        lines.insert(
            2,
            f"  channel projection: the {len(names)} input channels mixed into the encoder's "
            f"{len(inner)}: {few(list(inner), 12)}",
        )
    if channels.get("rename"):
        rename = channels["rename"]
        shown = (
            rename
            if isinstance(rename, str)
            else few([f"{k}={v}" if v else f"{k} left out" for k, v in rename.items()], 8)
        )
        lines.append(f"  channels renamed as in training: {shown}")
    if training.get("label_column"):
        lines.append(f"  labels: the epochs' metadata column {training['label_column']!r}")
    if training.get("window_labels"):
        from eegpt.probe_cli import labelling_options, trained_starts_option

        how = training["window_labels"]
        lines.append(
            "  labels: continuous recordings' windows by their annotations, "
            + labelling_options(how["match"], how.get("unlabelled"))
        )
        if how.get("start_seconds"):
            start = f"{how['start_seconds']:g}"
            lines.append(
                f"  trained on windows starting at {start} s (--start {start}): a recording's "
                "own, so predict/evaluate take --start again (their windows start at 0 without)"
            )
        elif how.get("starts"):
            starts = [f"{Path(f).name} {v:g} s" for f, v in how["starts"].items()]
            given = trained_starts_option(how)
            lines.append(
                f"  trained on windows starting at each recording's own start ({given}): "
                f"{few(starts, 6)}; predict/evaluate take --start again (their windows start "
                "at 0 without)"
            )
    if not meta.get("frozen_encoder", True):
        lines.append(_finetuning_line(training, meta.get("probe") or {}, encoder))
    elif training:
        lines.append(_probe_training_line(training, meta.get("probe") or {}))
    if training:
        n_val = training.get("n_validation") or 0
        passes = training.get("epochs_run", len(history))
        line = (
            f"  trained on {training.get('n_train', '?')} labelled epochs"
            + (f" ({n_val} more for validation)" if n_val else "")
            + f", {passes} pass{'' if passes == 1 else 'es'} over them"
        )
        kept = training.get("kept_epoch") or len(history)
        row = history[kept - 1] if history and 0 < kept <= len(history) else {}
        if "val_balanced_accuracy" in row:
            line += (
                f"; the weights of pass {kept} kept: validation balanced accuracy "
                f"{row['val_balanced_accuracy']:.3f}"
            )
        lines.append(line)
    said = training.get("warnings") or []
    if said:
        head = f"  WARNINGS when trained ({len(said)}; probe.json's training.warnings has them in full):"
        lines.extend([head, *(f"    - {shortened(text, 150)}" for text in said)])
    lines.append(f"  eegpt {meta.get('eegpt_version', '?')}" + software_text(meta.get("software")))
    if meta.get("command"):  # trained from the command line
        lines.append(f"  made by: eegpt {shlex.join(meta['command'])}")
    return "\n".join(lines)


def _finetuning_line(
    training: Mapping[str, Any], recipe: Mapping[str, Any], encoder: Mapping[str, Any]
) -> str:
    """The settings of a fine-tuning (:func:`eegpt.finetune`) as ``eegpt info`` lists them,
    from ``probe.json``'s ``training``, ``probe`` (the recipe) and ``encoder`` (the tuned
    weights' fingerprint); those missing are left out (older files record no
    ``class_weight`` in ``training``: the recipe's is taken)."""
    facts = {
        "freeze_blocks": training.get("freeze_blocks"),
        "lr": training.get("lr"),
        "head lr": recipe.get("max_lr"),
        "layer_decay": training.get("layer_decay"),
        "weight_decay": recipe.get("weight_decay"),
        "batch size": recipe.get("batch_size"),
        "class_weight": training.get("class_weight", recipe.get("class_weight")),
        "seed": recipe.get("seed"),
        "precision": training.get("precision"),
        "patience": recipe.get("patience"),
    }
    line = f"  fine-tuning: {_settings_text(facts)}{_run_text(training, recipe)}"
    if encoder.get("tuned_weights_sha256"):
        line += f"; tuned weights sha256 {encoder['tuned_weights_sha256'][:12]}..."
    return line


def _probe_training_line(training: Mapping[str, Any], recipe: Mapping[str, Any]) -> str:
    """The training settings of a linear probe (:func:`train_probe`) as ``eegpt info`` lists
    them, from ``probe.json``'s ``training`` and ``probe`` (the recipe, :class:`ProbeConfig`),
    with the validation and the passes run as for a fine-tuning; those missing are left
    out."""
    facts = {
        "max_lr": recipe.get("max_lr"),
        "weight_decay": recipe.get("weight_decay"),
        "pct_start": recipe.get("pct_start"),
        "batch size": recipe.get("batch_size"),
        # the passes asked for, where the record lacks those run (which say it)
        "passes": None if "epochs_run" in training else recipe.get("epochs"),
        "patience": recipe.get("patience"),
        "class_weight": training.get("class_weight", recipe.get("class_weight")),
        "seed": recipe.get("seed"),
        "precision": training.get("precision"),
        "stream": training.get("stream_precision"),
    }
    return f"  training: {_settings_text(facts)}{_run_text(training, recipe)}"


def _run_text(training: Mapping[str, Any], recipe: Mapping[str, Any]) -> str:
    """``"; validation fraction 0.2 (epochs at random); 12 passes (of at most 100) run,
    stopped early at pass 12"``: how a training was validated and how many passes it ran,
    from ``probe.json``'s ``training`` and ``probe``; "" where the record has neither."""
    text = ""
    if training.get("validation"):
        text += f"; {_validation_text(training['validation'])}"
    if "epochs_run" in training:
        run = training["epochs_run"]
        text += (
            f"; {run} pass{'' if run == 1 else 'es'} (of at most {recipe.get('epochs', '?')}) run"
        )
        if training.get("stopped_early"):
            text += f", stopped early at pass {run}"
    return text


def _settings_text(facts: Mapping[str, Any]) -> str:
    """``"lr 0.001, batch size 32, class_weight None"``: the settings that are known, and
    class_weight always (None is its value, not a gap)."""
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in facts.items()
                     if v is not None or k == "class_weight")  # fmt: skip


def _validation_text(record: Mapping[str, Any]) -> str:
    """The training record's ``validation`` (:func:`split_training_data`) in words."""
    kind = record.get("kind")
    if kind == "fraction":
        groups = record.get("groups")
        return f"validation fraction {record.get('fraction'):g}" + (
            f" by groups ({len(groups.get('held_out', []))} of {groups.get('count')} held out)"
            if groups
            else " (epochs at random)"
        )
    return "validation on held-out data" if kind == "held-out data" else "no validation"


def load_probe(
    directory: str | os.PathLike,
    model: EEGPT | EEGPTEncoder | str | os.PathLike | None = None,
    *,
    device: str | torch.device = "cpu",
    verbose: bool | None = None,
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

    directory = Path(directory).expanduser()
    meta = _read_probe_json(directory)
    state = _load_safetensors(str(directory / PROBE_WEIGHTS))
    config = ProbeConfig.from_dict(meta["probe"])
    ref = meta["encoder"]
    frozen = bool(meta["frozen_encoder"])
    if frozen:
        if model is None:
            if not ref.get("path"):
                raise FileNotFoundError(
                    f"the probe in {directory} was trained on an encoder that was not loaded "
                    "from a checkpoint file; pass that encoder: load_probe(folder, model)"
                )
            if not Path(ref["path"]).exists():
                raise FileNotFoundError(
                    f"the probe in {directory} was trained on the encoder {ref['path']}, which "
                    "is not there (moved, or another machine); give the encoder's weights: "
                    "--weights PATH on the command line, load_probe(folder, model_or_path) in "
                    "Python"
                )
            model = ref["path"]
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
        encoder = EEGPTEncoder(EEGPTConfig.from_dict(ref["config"]))
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
        preprocessing=PreprocessingConfig.from_dict(meta["preprocessing"]),
        input_names=channels["input_names"],
        encoder_names=channels["encoder_names"],
        encoder=ref,
        frozen_encoder=frozen,
        history=meta.get("history"),
        training=meta.get("training"),
        rename=channels.get("rename"),  # probes saved before it was kept: None
        keep=channels.get("keep"),  # likewise
    )


# --------------------------------------------------------------------------------------------
# A synthetic labelled task
# --------------------------------------------------------------------------------------------

SYNTHETIC_CHANNELS: tuple[str, ...] = (
    "Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz",
    "C4", "T8", "P7", "P3", "Pz", "P4", "P8", "O1", "O2",
)  # fmt: skip

# Scalp weights of the synthetic P300-like component (a parietal-central positivity).
_P300_TOPOGRAPHY = {
    "Pz": 1.0, "P3": 0.75, "P4": 0.75, "Cz": 0.6, "C3": 0.4, "C4": 0.4,
    "O1": 0.35, "O2": 0.35, "P7": 0.3, "P8": 0.3, "Fz": 0.2,
}  # fmt: skip


def synthetic_erp_raw(
    n_trials: int = 200,
    *,
    sfreq: float = 250.0,
    soa: float = 4.5,
    amplitude: float = 20e-6,
    noise: float = 8e-6,
    seed: int = 0,
) -> tuple[mne.io.RawArray, np.ndarray, dict[str, int]]:
    """A SYNTHETIC continuous recording of a P300-like oddball task, with its events.

    Nothing here is recorded EEG. 19 10-20 channels carry independent 1/f ("pink") background
    noise of ``noise`` volts RMS (flattened below 2 Hz). A stimulus occurs every ``soa`` seconds
    (+-0.25 s jitter), the first after 1 s. Half the stimuli, in random order, are ``"target"``:
    they are followed by a parietal positive deflection peaking about 350 ms later (Gaussian,
    80 ms wide, latency jitter 40 ms) of ``amplitude`` volts at Pz and weaker at neighbouring
    electrodes; the others are ``"standard"`` and evoke nothing. The label of an epoch is thus
    decidable from the time course over parietal channels, and shuffled labels leave nothing to
    learn.

    Parameters
    ----------
    n_trials : int
        Number of stimuli.
    sfreq : float
        Sampling rate in Hz (250, as BCI Competition IV-2a; EEGPT resamples to 256).
    soa : float
        Mean stimulus onset asynchrony in seconds.
    amplitude, noise : float
        Peak of the component at Pz and background RMS, in volts.
    seed : int
        Random seed; the same seed gives the same recording.

    Returns
    -------
    raw : mne.io.RawArray
        Data in volts with a standard 10-20 montage.
    events : ndarray of int, shape (n_trials, 3)
        MNE events (sample, 0, code).
    event_id : dict
        ``{"standard": 1, "target": 2}``.
    """
    rng = np.random.default_rng(seed)
    onsets = 1.0 + soa * np.arange(n_trials) + rng.uniform(-0.25, 0.25, n_trials)
    n_times = int(round((onsets[-1] + soa + 1.0) * sfreq))
    labels = rng.permutation(np.arange(n_trials) % 2)
    n_ch = len(SYNTHETIC_CHANNELS)
    n_freqs = n_times // 2 + 1
    spectrum = rng.standard_normal((n_ch, n_freqs)) + 1j * rng.standard_normal((n_ch, n_freqs))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(n_times, 1 / sfreq), 2.0))
    data = np.fft.irfft(spectrum, n_times)
    data *= noise / data.std(axis=-1, keepdims=True)
    topography = np.array([_P300_TOPOGRAPHY.get(name, 0.0) for name in SYNTHETIC_CHANNELS])
    half = int(0.5 * sfreq)  # the component lies well inside +-0.5 s of its peak
    for onset in onsets[labels == 1]:
        peak = onset + 0.35 + rng.normal(0.0, 0.04)
        centre = int(round(peak * sfreq))
        idx = np.arange(centre - half, centre + half)
        wave = amplitude * np.exp(-0.5 * ((idx / sfreq - peak) / 0.08) ** 2)
        data[:, idx] += topography[:, None] * wave[None, :]
    info = mne.create_info(list(SYNTHETIC_CHANNELS), sfreq, ch_types="eeg")
    raw = mne.io.RawArray(data, info, verbose=False)
    builtin = mne.channels.get_builtin_montages()
    raw.set_montage("colin27_1020" if "colin27_1020" in builtin else "standard_1020", verbose=False)
    events = np.column_stack(
        [np.round(onsets * sfreq).astype(int), np.zeros(n_trials, int), labels + 1]
    )
    return raw, events, {"standard": 1, "target": 2}


def synthetic_erp_epochs(
    n_epochs: int = 200,
    *,
    sfreq: float = 250.0,
    tmin: float = -0.5,
    seconds: float = 4.0,
    amplitude: float = 20e-6,
    noise: float = 8e-6,
    seed: int = 0,
) -> mne.Epochs:
    """Labelled epochs of the SYNTHETIC oddball recording of :func:`synthetic_erp_raw`.

    Each epoch starts ``tmin`` seconds relative to its stimulus and lasts exactly ``seconds``
    (``seconds * sfreq`` samples: one EEGPT window), without baseline correction.

    Returns
    -------
    mne.Epochs
        Data loaded, in volts, ``event_id={"standard": 1, "target": 2}``; labels with
        :func:`epochs_labels`.
    """
    soa = max(4.5, seconds + 0.5)
    raw, events, event_id = synthetic_erp_raw(
        n_epochs, sfreq=sfreq, soa=soa, amplitude=amplitude, noise=noise, seed=seed
    )
    return mne.Epochs(
        raw,
        events,
        event_id,
        tmin=tmin,
        tmax=tmin + seconds - 1 / sfreq,
        baseline=None,
        preload=True,
        verbose=False,
    )


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
