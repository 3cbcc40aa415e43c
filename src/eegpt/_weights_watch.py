"""Knowing when an encoder's weights may have changed, without hashing them.

* :func:`param_key`: each parameter's identity, in-place change counter, dtype and device;
  changes when a weight is replaced, moved, cast or modified in place through autograd-visible
  operations (``copy_``, ``load_state_dict``, a foreach optimizer).
* Optimizer steps: fused optimizers (``AdamW(fused=True)``) update parameters without bumping
  their change counters, so a global ``torch.optim`` step post-hook counts steps
  (:func:`watch_optimizer_steps`, registered on first need, never on import) and remembers
  which optimizer stepped when (:data:`STEPPED_OPTIMIZERS`, :func:`parameter_ids`).
* :data:`FAST_CACHES`: the fast path's derived weights per encoder
  (:mod:`eegpt.fast_path`), which that hook drops for the encoders an optimizer steps.

Used by the fast path's cache, ``EEGPT.has_random_weights`` (:mod:`eegpt.model`) and
``fingerprints._WeightsSeen``. Imports nothing of eegpt.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

# Fast-path caches (derived weights per encoder), kept outside the modules so that copying or
# pickling a model (replicas, worker processes) never carries them along.
FAST_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Optimizer steps taken in this process (any torch.optim optimizer) since eegpt started watching
# them (:func:`watch_optimizer_steps`). A fused/foreach optimizer (``AdamW(fused=True)``)
# updates the parameters without bumping their version counters, so the caches' key (versions)
# would not see the step: the hook drops the caches of the encoders whose parameters the
# optimizer holds (others, e.g. a frozen feature extractor beside a head being trained, keep
# theirs).
_optimizer_steps = 0
# Each optimizer that stepped -> the value of ``_optimizer_steps`` after its latest step (read by
# ``EEGPT.has_random_weights``).
STEPPED_OPTIMIZERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Each optimizer -> (its param groups' sizes, the ids of its parameters): read once per layout.
_OPTIMIZER_PARAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def live_items(mapping: weakref.WeakKeyDictionary) -> list[tuple[Any, Any]]:
    """The ``(key, value)`` pairs of ``mapping`` whose keys are alive, as one snapshot.

    Iterating a ``WeakKeyDictionary`` (``keys()``, ``items()``, even inside ``list(...)``)
    runs Python code between items, so another thread inserting a key (a fast-path cache
    filled, an optimizer stepping) or the garbage collector dropping one raises
    "dictionary changed size during iteration". Copying its underlying dict of weak
    references is one C call, atomic under the GIL; the references are resolved from the
    private copy afterwards.
    """
    held: dict = mapping.data.copy()  # type: ignore[attr-defined]  # (not in the stubs)
    return [(key, value) for ref, value in held.items() if (key := ref()) is not None]


def parameter_ids(optimizer: torch.optim.Optimizer) -> frozenset[int]:
    """The ids of the parameters ``optimizer`` holds (recomputed when its groups change)."""
    layout = tuple(len(group["params"]) for group in optimizer.param_groups)
    known = _OPTIMIZER_PARAMS.get(optimizer)
    if known is None or known[0] != layout:
        ids = frozenset(id(p) for group in optimizer.param_groups for p in group["params"])
        known = _OPTIMIZER_PARAMS[optimizer] = (layout, ids)
    return known[1]


def _count_optimizer_step(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    """Global optimizer step post-hook: count the step, and drop the fast-path caches of the
    encoders with a parameter in ``optimizer`` (usually none or one encoder holds a cache)."""
    global _optimizer_steps
    _optimizer_steps += 1
    STEPPED_OPTIMIZERS[optimizer] = _optimizer_steps
    if FAST_CACHES:
        ids = parameter_ids(optimizer)
        for encoder, _ in live_items(FAST_CACHES):
            if not ids.isdisjoint(id(p) for p in encoder.parameters()):
                FAST_CACHES.pop(encoder, None)


_STEP_HOOK: Any = None  # handle of the registered hook; None until eegpt needs it
_STEP_HOOK_LOCK = threading.Lock()


def watch_optimizer_steps() -> int:
    """Register :func:`_count_optimizer_step` as a global ``torch.optim`` step post-hook, once,
    and return the step count now.

    Registered lazily, not on import: importing eegpt must not make every optimizer step of
    the process (of any model) run eegpt code. Steps matter to eegpt only relative to a moment
    it remembers: a fast-path cache filled (:func:`eegpt.fast_path.fast_cache`), a model
    built or copied (``EEGPT.has_random_weights``) or loaded weights noted
    (``fingerprints._WeightsSeen``).
    Each of those calls this first, so every step after it is counted; steps before it
    predate what was remembered (the cache is derived from the weights as they are then),
    so missing them loses nothing.
    """
    global _STEP_HOOK
    with _STEP_HOOK_LOCK:
        if _STEP_HOOK is None:
            _STEP_HOOK = register_optimizer_step_post_hook(_count_optimizer_step)
    return _optimizer_steps


def steps_if_watched() -> int | None:
    """The optimizer step count now where steps are watched (:func:`watch_optimizer_steps`
    ran), else None; registers nothing (a bare ``EEGPTEncoder`` built or copied asks this:
    building one must not make every optimizer step of the process run eegpt code)."""
    return _optimizer_steps if _STEP_HOOK is not None else None


def training_spells(module: nn.Module) -> int:
    """How many times ``module`` (an encoder) went from training to eval mode: writes through
    ``p.data`` in training mode (an EMA teacher's), which :func:`param_key` does not see, can
    only have happened where this count changed."""
    return int(getattr(module, "_training_spells", 0))


def param_key(module: nn.Module) -> tuple:
    """Identity + in-place version of every parameter: changes when a weight is replaced or
    modified in place through autograd-visible operations (``copy_``, a foreach optimizer). A
    fused optimizer's steps do not bump the versions: the optimizer step hook
    (``_count_optimizer_step``) drops the cache instead.

    Not seen: writes through ``p.data`` (an EMA teacher's ``p.data.mul_(...)``) and, for
    inference tensors (parameters created under ``torch.inference_mode``, no version counter),
    in-place modification; see :meth:`eegpt.model.EEGPTEncoder.clear_fast_cache`.
    """
    return tuple(
        (p.data_ptr(), -1 if p.is_inference() else p._version, p.dtype, p.device)
        for p in parameters_of(module)
    )


def parameters_of(module: nn.Module) -> list[nn.Parameter]:
    """``list(module.parameters())``, the same parameters in the same order (each module's
    own in registration order, modules depth first, each module and parameter once), without
    torch's nested generators, which build every submodule's dotted name: 3 to 5 times
    faster on a CPU, for :func:`param_key` (each fast-path call, each fingerprint check, each
    push of an :class:`eegpt.online.OnlineEmbedder` that embeds windows). Walks the modules as
    they are now, so a parameter or submodule replaced is seen."""
    found: dict[int, nn.Parameter] = {}  # by identity, in the order first met
    seen: set[int] = set()
    stack: list[nn.Module | None] = [module]
    while stack:
        here = stack.pop()
        if here is None or id(here) in seen:  # a module held twice: its first place counts
            continue
        seen.add(id(here))
        for p in here._parameters.values():
            if p is not None and id(p) not in found:
                found[id(p)] = p
        if here._modules:  # children last first: the first is taken next, depth first
            stack.extend(reversed(here._modules.values()))
    return list(found.values())
