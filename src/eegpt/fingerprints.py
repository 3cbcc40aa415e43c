"""The identity of a model's encoder weights.

:func:`encoder_fingerprint` is a SHA-256 of the encoder's architecture and weights (the same
across file formats and conversions, changed by any weight); :func:`mark_loaded_weights` notes
the weights a model was loaded with, so that :func:`modified_weights` (cheaply, by parameters'
change counters and optimizer steps) and :func:`weights_fingerprint` tell later whether those
are still the weights used. :func:`encoder_of` is the check every function taking a model makes
first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from eegpt._weights_watch import param_key, training_spells, watch_optimizer_steps
from eegpt.model import EEGPT, EEGPTEncoder


def encoder_of(model: EEGPT | EEGPTEncoder) -> EEGPTEncoder:
    """The encoder of ``model`` (an :class:`~eegpt.model.EEGPT` or its
    :class:`~eegpt.model.EEGPTEncoder`): the check that every function taking a model makes first.

    Raises
    ------
    TypeError
        Anything else; a path, a name or None is told to be loaded first with
        :func:`~eegpt.checkpoints.load_model`."""
    if isinstance(model, EEGPT):
        return model.target_encoder
    if isinstance(model, EEGPTEncoder):
        return model
    if model is None or isinstance(model, (str, os.PathLike)):
        given = "None" if model is None else f"{type(model).__name__} {str(model)!r}"
        load = (
            "eegpt.load_model('eegpt-large')"
            if model is None
            else f"eegpt.load_model({str(model)!r})"
        )
        raise TypeError(
            f"expected a loaded EEGPT model (or its encoder), got {given}: load the weights "
            f"first, model = {load}, and pass the model"
        )
    held = model._modules if isinstance(model, torch.nn.Module) else {}
    # torch.compile's wrapper holds it as _orig_mod, DataParallel's as module
    attribute = next((a for a in ("_orig_mod", "module") if held.get(a) is not None), None)
    if attribute is not None and isinstance(held[attribute], (EEGPT, EEGPTEncoder)):
        raise TypeError(
            f"expected an EEGPT model or encoder, got a {type(model).__name__} wrapping one: "
            f"pass the model inside, model.{attribute} (it shares the wrapper's weights)"
        )
    raise TypeError(f"expected an EEGPT model or encoder, got {type(model).__name__}")


def _hash_tensors(h: Any, state: Mapping[str, torch.Tensor]) -> None:
    for name in sorted(state):
        t = state[name].detach().to("cpu").contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        if t.numel():
            h.update(t.reshape(-1).view(torch.uint8).numpy())  # its bytes, hashed in place


def encoder_fingerprint(model: EEGPT | EEGPTEncoder) -> str:
    """SHA-256 of the encoder's architecture and weights (``target_encoder.*`` only).

    Independent of the file format the weights came from and of any probe head, so it
    identifies "the same encoder" across conversions; it changes when a weight changes.
    Hashes every weight (about 55 ms for the 25 M parameters of ``"large"`` on a CPU core).
    """
    encoder = encoder_of(model)
    return state_fingerprint(encoder.config.to_dict(), encoder.state_dict())


def state_fingerprint(config: Mapping[str, Any], state: Mapping[str, torch.Tensor]) -> str:
    """:func:`encoder_fingerprint` of an encoder of ``config`` (``EEGPTConfig.to_dict()``)
    holding the weights ``state`` (its ``state_dict()``: names without ``target_encoder.``,
    tensors in the encoder's dtype), without the encoder: what
    :func:`eegpt.checkpoint_report.checkpoint_fingerprint` hashes of a file's tensors."""
    h = hashlib.sha256(b"eegpt-encoder-v1|")
    h.update(json.dumps(dict(config), sort_keys=True).encode())
    _hash_tensors(h, state)
    return h.hexdigest()


def state_dict_hash(model: torch.nn.Module) -> str:
    """SHA-256 (hex) of every entry of ``model``'s state dict (names and bytes, in name
    order), of the weights it holds now, however they got there (built in Python,
    ``load_state_dict``, edited through ``p.data``): what named, before 2026-12-07, the
    weights of a corpus run of a model never loaded from a file (``state_dict:<hash>``; a run
    recorded so still is, to resume) and the weights of :func:`eegpt.embed_to_file`'s kept
    windows; both name the encoder's alone now (:func:`embedding_weights_hash`). Hashes
    every tensor (a few hundred ms for ``"large"`` on a CPU core)."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


#: What :func:`embedding_weights_hash` starts with: kept windows' records name their weights
#: by it, so that a hash of another scope (a whole state dict's) is told from it.
EMBEDDING_WEIGHTS_PREFIX = "encoder:"


def embedding_weights_hash(model: EEGPT | EEGPTEncoder) -> str:
    """The hash of the weights ``model``'s embeddings are computed from, as they are now
    (built in Python, ``load_state_dict``, edited through ``p.data``: hashed every time):
    :data:`EMBEDDING_WEIGHTS_PREFIX` and the :func:`encoder_fingerprint` (hex). The encoder's
    alone: embeddings feed the recording's channels to the encoder, never through a channel
    projection (``chan_proj``) or a probe head (``final_layer``) of a fine-tuned model
    (:func:`eegpt.api.embed`), so training or replacing those leaves it as it was. The same
    across processes and devices (each tensor hashed from the CPU, with its name, dtype and
    shape). What names the weights of :func:`eegpt.embed_to_file`'s kept windows."""
    return EMBEDDING_WEIGHTS_PREFIX + encoder_fingerprint(model)


@dataclass(frozen=True)
class _WeightsSeen:
    """The encoder's weights as seen at one moment: each parameter's identity, in-place change
    counter, dtype and device (:func:`eegpt._weights_watch.param_key`), the process's optimizer step
    count then, the :func:`encoder_fingerprint` of the weights and the encoder's count of
    training spells (:func:`eegpt._weights_watch.training_spells`)."""

    key: tuple
    optimizer_steps: int
    fingerprint: str
    spells: int = 0

    @classmethod
    def now(cls, model: EEGPT | EEGPTEncoder, fingerprint: str) -> _WeightsSeen:
        steps = watch_optimizer_steps()  # before the key: no step between
        encoder = encoder_of(model)
        return cls(param_key(encoder), steps, fingerprint, training_spells(encoder))

    def still(self, model: EEGPT | EEGPTEncoder) -> bool:
        """Whether nothing that can change a weight happened since: no parameter replaced,
        moved, cast or changed in place (``load_state_dict``, ``copy_``, a foreach optimizer),
        no optimizer holding one stepped (fused ones do not bump the counters), the encoder
        not put in training mode and back (whose ``p.data`` writes, an EMA teacher's, nothing
        else sees). Writes through ``p.data`` in eval mode are not seen. Costs well under a
        millisecond, no hashing."""
        encoder = encoder_of(model)
        return (
            param_key(encoder) == self.key
            and training_spells(encoder) == self.spells
            and not model._stepped_by_optimizer(since=self.optimizer_steps, module=encoder)
        )


def mark_loaded_weights(
    model: EEGPT, fingerprint: str | None = None, head: str | None = None
) -> None:
    """Note the encoder weights ``model`` holds now as the ones its ``checkpoint_info`` names (a
    file :func:`~eegpt.checkpoints.load_model` read, the weights :func:`eegpt.finetune.finetune` made), so
    that :func:`modified_weights` can tell later whether the weights used are still those.
    ``fingerprint``: their :func:`encoder_fingerprint` when already known; ``head``: the
    :func:`head_hash` of its channel projection and probe head when already known (both
    hashed where the weights were read, before a move to another device)."""
    fingerprint = fingerprint or encoder_fingerprint(model)
    model._loaded_weights = _WeightsSeen.now(model, fingerprint)
    model.__dict__["_loaded_head"] = head_hash(model) if head is None else head


def head_hash(model: EEGPT) -> str:
    """SHA-256 (hex) of ``model``'s weights outside the encoder: its channel projection
    (``chan_proj``) and probe head (``final_layer``), small next to the encoder; ``""`` for
    a model of neither."""
    state = model.state_dict()
    others = {k: v for k, v in state.items() if not k.startswith("target_encoder.")}
    if not others:
        return ""
    h = hashlib.sha256(b"eegpt-head-v1|")
    _hash_tensors(h, others)
    return h.hexdigest()


def modified_head(model: EEGPT) -> bool:
    """Whether ``model``'s weights outside the encoder (channel projection, probe head), which
    :func:`modified_weights` leaves out (embeddings never use them), changed since they were
    loaded (:func:`mark_loaded_weights`): trained, edited, replaced. False where none were
    noted. Hashes them each call (they are small)."""
    loaded = model.__dict__.get("_loaded_head")
    return loaded is not None and head_hash(model) != loaded


def modified_weights(model: EEGPT, *, hashed: bool = False) -> str | None:
    """The :func:`encoder_fingerprint` of ``model``'s encoder weights when they are no longer
    those of its checkpoint (:func:`mark_loaded_weights`: changed by ``load_state_dict``, an
    optimizer step, ``copy_``, a cast such as ``.half()``), None while they are the same or
    when none were noted (a model built in Python, never loaded).

    Cheap while nothing touched the weights (the change counters are compared, no hashing);
    after a possible change the weights are hashed once and compared, so moving the model
    (``model.to("cuda")``), casting it back or loading the same weights again counts as no
    change. The fingerprint of changed weights is kept until they change again. Writes
    through ``p.data`` in eval mode change no counter: ``hashed=True`` hashes the weights
    anyway (about 55 ms for ``"large"``; :func:`eegpt.save_checkpoint`'s record) and notes
    the result (:func:`note_weights`).
    """
    loaded: _WeightsSeen | None = getattr(model, "_loaded_weights", None)
    if loaded is None or (not hashed and loaded.still(model)):
        return None
    seen: _WeightsSeen | None = getattr(model, "_weights_seen", None)
    if hashed or seen is None or not seen.still(model):
        seen = _WeightsSeen.now(model, encoder_fingerprint(model))
        model._weights_seen = seen  # type: ignore[assignment]
    if seen.fingerprint == loaded.fingerprint:  # the same values, e.g. moved to another device
        model._loaded_weights = seen
        return None
    return seen.fingerprint


def noted_fingerprint(model: EEGPT | EEGPTEncoder) -> str | None:
    """What :func:`weights_fingerprint` gives for ``model`` without hashing: a loaded model's
    (in eval mode) noted fingerprint, of the weights loaded or last hashed, while nothing seen
    changed them since; None where it would hash (an encoder alone, a model never loaded, in
    training mode, or changed since). Stale after an edit through ``p.data``, which nothing
    sees: compare it with a fingerprint hashed anyway (:func:`note_weights`)."""
    if not isinstance(model, EEGPT) or model.target_encoder.training:
        return None
    loaded: _WeightsSeen | None = getattr(model, "_loaded_weights", None)
    if loaded is None:
        return None
    if loaded.still(model):
        return loaded.fingerprint
    seen: _WeightsSeen | None = getattr(model, "_weights_seen", None)
    return seen.fingerprint if seen is not None and seen.still(model) else None


def note_weights(model: EEGPT | EEGPTEncoder, fingerprint: str) -> None:
    """Note ``fingerprint``, the :func:`encoder_fingerprint` the caller just computed, as that
    of the encoder weights ``model`` holds now, so that :func:`weights_fingerprint` and
    :func:`modified_weights` give it without hashing them again while nothing seen changes
    them (the weights loaded stay noted as such: :func:`mark_loaded_weights`)."""
    model._weights_seen = _WeightsSeen.now(model, fingerprint)  # type: ignore[assignment]


def held_fingerprint(model: EEGPT | EEGPTEncoder) -> str | None:
    """The :func:`encoder_fingerprint` of the encoder weights an eval-mode ``model`` (or
    encoder alone) holds,
    hashed once per model and noted (:func:`note_weights`) until something seen changes them,
    so a model made in memory (never loaded) names its weights in every output without
    hashing them at each call (an :class:`~eegpt.online.OnlineEmbedder`'s push). None in
    training mode, whose ``p.data`` writes (an EMA teacher's) nothing sees: hashing at each
    call there would cost a training loop."""
    if encoder_of(model).training:
        return None
    noted = noted_fingerprint(model)
    if noted is not None:
        return noted
    seen: _WeightsSeen | None = getattr(model, "_weights_seen", None)
    if seen is not None and seen.still(model):
        return seen.fingerprint
    fingerprint = weights_fingerprint(model)
    note_weights(model, fingerprint)
    return fingerprint


def weights_fingerprint(model: EEGPT | EEGPTEncoder) -> str:
    """The :func:`encoder_fingerprint` of the encoder weights ``model`` holds now, hashing them
    only where needed: a loaded model (:func:`mark_loaded_weights`) in eval mode whose weights
    are still those loaded (:func:`modified_weights`, no hashing) gives the fingerprint noted
    then. Hashed every time: an encoder alone, a model never loaded, one in training mode
    (whose ``p.data`` writes, e.g. an EMA teacher's, nothing sees). Writes through ``p.data``
    in eval mode are seen after :meth:`~eegpt.model.EEGPT.clear_fast_cache`, which they need
    anyway."""
    if isinstance(model, EEGPT) and not model.target_encoder.training:
        if getattr(model, "_loaded_weights", None) is not None:
            changed = modified_weights(model)
            return changed if changed is not None else model._loaded_weights.fingerprint
    return encoder_fingerprint(model)
