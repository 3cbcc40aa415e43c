"""The settings of a linear probe: :class:`ProbeConfig`, the head's architecture and its
training recipe (defaults: the original linear-probe scripts of Wang et al., NeurIPS 2024),
checked when made and kept in a probe's ``probe.json`` (:meth:`ProbeConfig.to_dict`,
:meth:`ProbeConfig.from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import numpy as np

from eegpt.channels import PROBE_19_CHANNELS, normalize_channel_name
from eegpt.config import keywords_meant, strict_from_dict
from eegpt.engine import check_batch_size

#: probe train's options that set a field of :class:`ProbeConfig` named otherwise (their
#: ``dest``: ``--passes``, ``--lr``, ``--train-batch-size``), mapped to the field: a call using
#: them (``ProbeConfig(passes=1)``) is told the field's name.
CLI_NAMES = {"passes": "epochs", "lr": "max_lr", "train_batch_size": "batch_size"}


@keywords_meant(CLI_NAMES)
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
        Max L2 norm of each weight row of ``probe1`` (1.0) and ``probe2`` (0.25); ``inf``
        for no constraint.
    chan_proj : bool
        Learn a 1x1 channel projection from the input channels onto ``target_channels`` before the
        encoder. The encoder then runs at every training step (no embedding caching).
    chan_proj_max_norm : float
        Max L2 norm of each projection filter (1.0; ``inf`` for no constraint).
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
        :func:`eegpt.finetune.finetune` takes for it; stored as ``None``).
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
        # finite: an infinite rate trained to NaN weights, a NaN decay failed in torch's AdamW
        if not (self.max_lr > 0 and np.isfinite(self.max_lr)):
            raise ValueError(
                f"max_lr must be a finite number above 0, got {self.max_lr} (command line: --lr)"
            )
        # a max norm of inf is no constraint (the rows are never renormalised), as probes
        # trained and saved with it hold; NaN or none above 0 is no norm
        for name in ("max_norm1", "max_norm2", "chan_proj_max_norm"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(
                    f"{name} must be a number above 0 (inf: no constraint), got {value}"
                )
        if not (self.weight_decay >= 0 and np.isfinite(self.weight_decay)):
            raise ValueError(
                f"weight_decay must be a finite number, 0 or more, got {self.weight_decay} "
                "(command line: --weight-decay)"
            )
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
        return strict_from_dict(cls, d, "probe", CLI_NAMES)

    def replace(self, **changes: Any) -> ProbeConfig:
        return ProbeConfig.from_dict({**self.to_dict(), **changes})
