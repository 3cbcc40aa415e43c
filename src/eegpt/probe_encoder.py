"""A probe's encoder: the record a probe keeps of it, and the model built around it.

A probe stores a reference to the encoder it was trained on or tuned from, not the encoder
(:func:`encoder_reference`: the checkpoint file and its SHA-256, the weights'
:func:`~eegpt.fingerprints.encoder_fingerprint`, the encoder's settings); a fine-tuned model's
``checkpoint_info`` names those weights as its source (:func:`tuned_checkpoint_info`).
:func:`assemble_probe_model` puts the head (and the channel projection) around the encoder,
shared, not copied, as an :class:`~eegpt.model.EEGPT` with braindecode's key layout: the model
a probe trains and the one a saved probe is loaded into.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eegpt.checkpoint_config import assumed_marks
from eegpt.fingerprints import encoder_fingerprint, encoder_of
from eegpt.heads import LinearProbe
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.probe_config import ProbeConfig


def tuned_checkpoint_info(reference: Mapping[str, Any]) -> dict[str, Any]:
    """``checkpoint_info`` of a fine-tuned model (:func:`eegpt.finetune.finetune`, or loaded from its
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


def frozen_checkpoint_info(reference: Mapping[str, Any]) -> dict[str, Any]:
    """``checkpoint_info`` of the encoder a frozen probe was trained on, from its
    :func:`encoder_reference`: the checkpoint file (path, format, SHA-256), the settings and
    the "pretrained" mark, so that outputs of the probe's own copy of it (``probe.online``)
    name that encoder as outputs of the model loaded from the file do."""
    notes: dict[str, Any] = {}
    if reference.get("pretrained") is not None:
        notes["pretrained"] = reference["pretrained"]
    return {
        "path": reference.get("path"),
        "format": reference.get("format"),
        "sha256": reference.get("sha256"),
        "config": dict(reference.get("config") or {}),
        "ch_names": None,
        "chan_ids": None,
        "input_ch_names": None,
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
    or a model or bare encoder built in Python and never loaded or trained,
    :attr:`~eegpt.model.EEGPT.has_random_weights`,
    :attr:`~eegpt.model.EEGPTEncoder.has_random_weights`; None where unknown) and
    ``weights_sha256``, the :func:`~eegpt.fingerprints.encoder_fingerprint` of its weights
    (those a probe is trained on, or a fine-tuning starts from), and the checkpoint's marks of
    settings its file did not record (``assumed``, ``assumed_basis``; only where set), which a
    fine-tuned model keeps (:func:`tuned_checkpoint_info`)."""
    info = dict(getattr(model, "checkpoint_info", None) or {})
    pretrained = (info.get("notes") or {}).get("pretrained")
    if pretrained is None and model.not_pretrained:  # an EEGPT, or a bare encoder
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


def assemble_probe_model(
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
