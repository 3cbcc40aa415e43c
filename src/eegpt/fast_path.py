"""The EEGPT encoder's fast path: the same function as the reference path
(:class:`eegpt.model.EEGPTEncoder` with ``fused=False``), computed with fewer operations.

:class:`eegpt.model.EEGPTEncoder` runs it by default (``fused=True``) unless a hook, a
``torch.func`` transform, tracing or a half-precision cast asks for the reference path (its
``forward``). Everything here takes the encoder (or its blocks) and tensors as arguments and
imports nothing of :mod:`eegpt.model` at run time.

* The patch embedding runs as one matmul with the conv bias and the channel embedding folded
  into a single additive term; summary tokens are written next to the patch tokens without a
  repeat/concatenation (:func:`forward_planned`).
* The first block's queries/keys/values are computed from the raw P-sample patches (the patch
  tokens are affine in them, so ``Wqkv @ LayerNorm(.)`` collapses to a P-wide matmul) and its
  summary-token queries/keys/values are constants (:func:`_first_block_low_rank`).
* The last block computes only the S summary rows (on CPU with the key/value projections
  absorbed into the queries: :func:`_last_block_absorbed`). :class:`FastPlan` gives the maths
  of both rewrites.

The derived weights (:class:`FastPlan`, :func:`build_plan`) are computed in float64, and cached
in eval-mode inference (:meth:`eegpt.model.EEGPTEncoder.fast_plan` says when the cache is
dropped; :mod:`eegpt._weights_watch` sees the changes). Matmuls run in the linear layers' dtype
while the residual stream stays float32, which is how the engine's bfloat16/float16 modes work.
Tested against the reference path to float32 precision (max relative error ~1e-6). The fast
path calls only the LayerNorms as modules, so the hooks of the other submodules would not run:
the encoder takes the reference path while any is registered (:func:`has_hooks`), and where a
module it reads is not exactly the class it assumes (:func:`unsupported_reason`).

For reduced precision on CUDA the plan may also run ``fc1`` + GELU as one cuBLASLt call
(``gelu_epilogue``, :func:`linear_gelu_tanh`): that epilogue is the tanh approximation of GELU
(at most 4.7e-4 from the exact erf GELU), far below bfloat16/float16 rounding; it is never used
in float32. Attention may run through Triton kernels made for short sequences
(``short_attention``, :mod:`eegpt.short_attention`), with FlashAttention's numerics: the first
block's summary-token q/k/v are then read from their shared constant instead of a concatenated
copy, and the last block (absorbed form, the default with the kernels) runs its attention as
one kernel. The float32 patch projection may run on TF32 tensor cores (``patch_tf32``,
:func:`matmul_tf32`, ~5e-4 relative), and the residual stream may be stored in
float16/bfloat16 between blocks (``stream_dtype``; sums and LayerNorms stay float32).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from eegpt import short_attention as short_attn
from eegpt._logging import log, warn
from eegpt._weights_watch import FAST_CACHES, param_key, watch_optimizer_steps

if TYPE_CHECKING:  # annotations only: eegpt.model imports this module
    from eegpt.model import MLP, Attention, Block, EEGPTEncoder


#: Key of ``FastPlan.packed`` that turns on the fused fc1 + GELU epilogue (see ``_linear``).
GELU_EPILOGUE = "gelu_epilogue"
#: Key of ``FastPlan.packed`` that routes attention through the Triton short-sequence kernel.
SHORT_ATTENTION = "short_attention"
#: Key of ``FastPlan.packed`` that runs the float32 patch projection on TF32 tensor cores.
PATCH_TF32 = "patch_tf32"
#: Key of ``FastPlan.packed``: dtype the residual stream is stored in between blocks (float32
#: when absent; sums and LayerNorm statistics are always computed in float32).
STREAM_DTYPE = "stream_dtype"


@torch.library.custom_op("eegpt::linear_gelu_tanh", mutates_args=())
def linear_gelu_tanh(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``gelu(x @ weight.T + bias, approximate="tanh")`` as one cuBLASLt GEMM with a GELU
    epilogue on CUDA (``torch._addmm_activation``); opaque to ``torch.compile``, which would
    otherwise split it into a GEMM and a separate GELU pass over memory. (PyTorch's CPU kernel
    computes the exact GELU; the fast path only calls this on CUDA.)"""
    y = torch._addmm_activation(bias, x.reshape(-1, x.shape[-1]), weight.t(), use_gelu=True)
    return y.reshape(*x.shape[:-1], weight.shape[0])


@linear_gelu_tanh.register_fake
def _(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return x.new_empty(*x.shape[:-1], weight.shape[0])


@contextlib.contextmanager
def _tf32_matmuls():
    """CUDA float32 matmuls on TF32 tensor cores inside the block (setting restored after)."""
    matmul = torch.backends.cuda.matmul  # fp32_precision: torch >= 2.9 (we need >= 2.11)
    saved, matmul.fp32_precision = matmul.fp32_precision, "tf32"
    try:
        yield
    finally:
        matmul.fp32_precision = saved


@torch.library.custom_op("eegpt::matmul_tf32", mutates_args=())
def matmul_tf32(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for float32 tensors, on TF32 tensor cores when on CUDA (inputs rounded to a
    10-bit mantissa, float32 accumulation: ~5e-4 relative, 8x finer than bfloat16). A custom op
    so that ``torch.compile`` calls it as is, with the setting in force, and CUDA graphs
    capture the TF32 GEMM. Only the reduced-precision fast path uses it (``PATCH_TF32``). The
    setting is process-wide: float32 matmuls of other threads during the call may use TF32 too."""
    with _tf32_matmuls():
        return a @ b


@matmul_tf32.register_fake
def _(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a.new_empty(*a.shape[:-1], b.shape[-1])


class ChannelTerms(NamedTuple):
    """Channel-dependent additive terms of the fast path (one row per input channel)."""

    token_bias: torch.Tensor  # [C, D]: conv bias + channel embedding
    first_qkv: torch.Tensor | None  # [3D, P + C]: low-rank first-block qkv weight, see FastPlan
    one_hot: torch.Tensor | None  # [C, C]: identity, selects each channel's column


class FastPlan(NamedTuple):
    """Tensors derived from the encoder weights, computed once (in float64) per weight version.

    Notation: ``W`` ``[D, P]`` patch projection, ``Wc`` the same with its column means over D
    removed, ``g``/``beta`` the first block's ``norm1`` scale/shift, ``Wqkv`` ``[3D, D]`` and
    ``bqkv`` its fused projection, H heads of width ``hd = D / H``.

    * First block (the patch tokens are an affine function of a P-dimensional patch, P << D):
      ``qkv = (patch @ first_qkv_t + offset[c]) * rstd + first_qkv_const`` with
      ``first_qkv_t = (Wc * g[:, None]).T @ Wqkv.T`` ``[P, 3D]``, ``offset[c] = ((b_c -
      mean(b_c)) * g) @ Wqkv.T`` for the channel's bias ``b_c`` (conv bias + channel
      embedding), ``rstd`` the token's inverse standard deviation over D and
      ``first_qkv_const = beta @ Wqkv.T + bqkv``. It runs as one matmul with bias on
      ``[patch, one_hot(c)] * rstd`` (``ChannelTerms.first_qkv`` stacks ``first_qkv_t`` and the
      offsets). The summary tokens' queries/keys/values are the constant ``summary_qkv``
      ``[S, 3D]``. This is ``Wqkv @ LayerNorm(W @ patch + b_c) + bqkv`` rewritten, at about
      P/D of the cost.
    * Last block ("absorbed" attention, only S query rows): a score ``q_h . k_hj`` equals
      ``(q_h @ Wk_h) . LN(x_j)`` plus a term constant over keys that the softmax cancels, and
      ``sum_j p_j v_hj = Wv_h @ (sum_j p_j LN(x_j)) + bv_h``; so keys and values are never
      projected: ``last_k = Wk_h / sqrt(hd)`` ``[H, hd, D]``, ``last_v_t = Wv_h.T``
      ``[H, D, hd]``.

    Derived tensors take the dtype of the weights they replace (the first/last block's ``qkv``),
    so a model whose linear layers were cast to bfloat16 gets bfloat16 terms.
    """

    patch_weight_t: torch.Tensor  # [P, D]
    first_qkv_t: torch.Tensor | None  # [P, 3D], kept in float64 to build ChannelTerms
    first_qkv_const: torch.Tensor | None  # [3D]
    summary_qkv: torch.Tensor | None  # [S, 3D]
    last_k: torch.Tensor | None  # [H, hd, D]
    last_v_t: torch.Tensor | None  # [H, D, hd]
    channel: ChannelTerms | None = None
    # oneDNN-packed linear weights (CPU), see _pack_linears; flags GELU_EPILOGUE,
    # SHORT_ATTENTION and PATCH_TF32 (CUDA), STREAM_DTYPE
    packed: dict | None = None


# Hook dicts of torch.nn.Module that the fast path would bypass: per module, and global ones
# (``torch.nn.modules.module.register_module_forward_hook``, ...).
_HOOK_ATTRS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
_GLOBAL_HOOKS = tuple(getattr(torch.nn.modules.module, "_global" + name) for name in _HOOK_ATTRS)
# Per module: (tree version, the modules of its tree with a copy of their children dicts, the
# hook dicts of them all). The version counts submodule assignments anywhere (a global
# registration hook, installed on first use), so the lists are rebuilt when a submodule is
# replaced (``model.blocks[3].attn = ...``); the copies of the children dicts catch what
# bypasses it (``ModuleList.insert``, ``module._modules["fc1"] = other``, which write
# ``_modules`` directly): comparing a dict with its copy is one C call, by identity of the
# children, allocating nothing.
_HOOK_DICTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_tree_version = 0
_watching_tree = False
_watch_lock = threading.Lock()


def _module_registered(module: nn.Module, name: str, submodule: nn.Module | None) -> None:
    global _tree_version
    _tree_version += 1


def _tree_entry(module: nn.Module) -> tuple:
    """``(tree version, [(submodule, a copy of its children dict)], hook dicts)`` of
    ``module``, walked again only when a submodule was registered anywhere since (or a
    submodule's children were added, removed or replaced); a new tuple whenever the tree may
    have changed (:func:`_modules_of` keys on it)."""
    global _watching_tree
    if torch.compiler.is_compiling():
        # traced once by torch.compile, whose guards on the modules and their hook dicts
        # see any change: walked afresh, without the lock or the global registration hook
        # (neither can be entered in a compiled region: a graph break each) or the cache
        tree = [(m, dict(m._modules)) for m in module.modules()]
        dicts = [getattr(m, name) for m, _ in tree for name in _HOOK_ATTRS]
        return (_tree_version, tree, [*_GLOBAL_HOOKS, *dicts])
    entry = _HOOK_DICTS.get(module)
    if (
        entry is None
        or entry[0] != _tree_version
        or any(m._modules != kids for m, kids in entry[1])
    ):
        with _watch_lock:
            if not _watching_tree:
                torch.nn.modules.module.register_module_module_registration_hook(_module_registered)
                _watching_tree = True
        version = _tree_version  # before the walk: a change meanwhile rebuilds next time
        tree = [(m, dict(m._modules)) for m in module.modules()]
        dicts = [getattr(m, name) for m, _ in tree for name in _HOOK_ATTRS]
        entry = _HOOK_DICTS[module] = (version, tree, [*_GLOBAL_HOOKS, *dicts])
    return entry


def has_hooks(module: nn.Module, *, warn_global: bool = False) -> bool:
    """Whether a forward, forward-pre or backward hook is registered on ``module``, on one of
    its submodules or globally (on every module).

    The fast path of :class:`EEGPTEncoder` reads the submodules' weights without calling them
    (only its LayerNorms are called as modules), so their hooks would silently not run; the
    encoder takes the reference path instead while any exists. Cheap (a few microseconds for
    the large model: the truthiness of a held list of the hook dicts, and each held module's
    children compared with those it had, by identity).

    With ``warn_global=True`` (a caller that would otherwise take the fast path), hooks that
    are only global (``torch.nn.modules.module.register_module_forward_hook`` ..., as
    installed by ``torch.utils.flop_counter.FlopCounterMode``, profilers or logging tools)
    give one :class:`~eegpt.errors.EEGPTWarning` per process and kind of global hook
    (:func:`_warn_global_hooks`); hooks on ``module`` or its submodules never warn (they were
    put there deliberately)."""
    entry = _tree_entry(module)
    if not any(entry[2]):
        return False
    if warn_global and not any(entry[2][len(_GLOBAL_HOOKS) :]):
        _warn_global_hooks()
    return True


# The kinds of global hooks (tuples of _HOOK_ATTRS names) already warned about in this process;
# checked and added under _warned_lock, so that threads embedding at once warn once between them.
_WARNED_GLOBAL_KINDS: set[tuple[str, ...]] = set()
_warned_lock = threading.Lock()


def _warn_global_hooks() -> None:
    """Say once per process and kind of global hook registered that the encoder runs its
    reference path because of them (not while torch.compile traces: dynamo would break the
    graph on the warning)."""
    if torch.compiler.is_compiling():
        return
    kinds = tuple(name for name, hooks in zip(_HOOK_ATTRS, _GLOBAL_HOOKS, strict=True) if hooks)
    if not kinds:
        return
    with _warned_lock:  # check and add at once: two threads must not both find it new
        if kinds in _WARNED_GLOBAL_KINDS:
            return
        _WARNED_GLOBAL_KINDS.add(kinds)
    found = ", ".join(
        f"{len(hooks)} {name.strip('_').removesuffix('_hooks').replace('_', '-')}"
        for name, hooks in zip(_HOOK_ATTRS, _GLOBAL_HOOKS, strict=True)
        if hooks
    )
    n = sum(len(hooks) for hooks in _GLOBAL_HOOKS)
    warn(
        f"{n} global module hook{'s are' if n != 1 else ' is'} registered ({found}; "
        "torch.nn.modules.module.register_module_forward_hook and the like, as installed by "
        "torch.utils.flop_counter.FlopCounterMode, profilers or logging tools), so the EEGPT "
        "encoder runs its exact reference path, which calls every module so that the hooks see "
        "them all: it is several times slower than the fast path. To embed at full speed, "
        "remove the global hooks (leave the tool's context) before embedding; if the hooks are "
        "meant to see the encoder's modules, set model.fused = False (or fused=False) to "
        "choose the reference path and silence this warning. (Said once per process.)"
    )


# --- What the fast path assumes of the encoder's modules -----------------------------------
# The fast path reads the submodules' weights and settings without calling them (but for the
# LayerNorms and the channel embedding), assuming eegpt's own layers: a replaced or wrapped
# layer (a LoRA adapter around qkv, a quantized Linear, a parametrized weight, another
# activation) would be silently bypassed. It runs only where each module it reads is exactly
# the class it assumes (:func:`unsupported_reason`); otherwise the encoder takes its reference
# path, which calls every module.

# Settings of the modules (not parameters) that the fast path or its derived terms use: part
# of the cache key (:func:`validate_cache`), so that an edit after a first call (``norm.eps``,
# ``attn.num_heads``) derives the terms again.
_SETTINGS: dict[type | str, tuple[str, ...]] = {
    nn.LayerNorm: ("eps", "normalized_shape"),
    nn.GELU: ("approximate",),
    "Attention": ("num_heads", "head_dim"),
}


class _Modules(NamedTuple):
    """What :func:`_modules_of` finds in an encoder's module tree (kept per tree)."""

    tree: tuple  # the _tree_entry it was found in: found again when that is renewed
    live: tuple  # the _live_key it was found with: found again when that changes
    wrong: str | None  # the first module that is not as the fast path assumes, in words
    gelus: tuple[nn.Module, ...]  # the blocks' activations (their ``approximate`` is read live)
    settings: tuple[tuple[nn.Module, tuple[str, ...]], ...]  # modules and names in _SETTINGS


# Per encoder: its _Modules, found again when its module tree changes.
_MODULES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Per encoder: the reasons for the reference path already logged (once each).
_SAID: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _is(module: object, kind: type | str) -> bool:
    """``module`` is exactly of class ``kind`` (a class of :mod:`eegpt.model` given by name):
    no subclass, wrapper or parametrized version (``torch.nn.utils.parametrize`` makes one)."""
    if isinstance(kind, str):
        return type(module).__module__ == "eegpt.model" and type(module).__qualname__ == kind
    return type(module) is kind


def _assumed_modules(enc: EEGPTEncoder) -> Iterator[tuple[str, object, type | str]]:
    """``(path, module, class assumed)`` of each module the fast path reads, parents first
    (a child is looked up only after its parent was found as assumed)."""
    yield "patch_embed", enc.patch_embed, "PatchEmbed"
    yield "patch_embed.proj", getattr(enc.patch_embed, "proj", None), nn.Conv2d
    yield "chan_embed", enc.chan_embed, nn.Embedding
    yield "norm", enc.norm, nn.LayerNorm
    for i, blk in enumerate(enc.blocks):
        yield f"blocks.{i}", blk, "Block"
        yield f"blocks.{i}.norm1", getattr(blk, "norm1", None), nn.LayerNorm
        yield f"blocks.{i}.norm2", getattr(blk, "norm2", None), nn.LayerNorm
        attn, mlp = getattr(blk, "attn", None), getattr(blk, "mlp", None)
        yield f"blocks.{i}.attn", attn, "Attention"
        yield f"blocks.{i}.attn.qkv", getattr(attn, "qkv", None), nn.Linear
        yield f"blocks.{i}.attn.proj", getattr(attn, "proj", None), nn.Linear
        yield f"blocks.{i}.mlp", mlp, "MLP"
        yield f"blocks.{i}.mlp.fc1", getattr(mlp, "fc1", None), nn.Linear
        yield f"blocks.{i}.mlp.act", getattr(mlp, "act", None), nn.GELU
        yield f"blocks.{i}.mlp.fc2", getattr(mlp, "fc2", None), nn.Linear


def _class_name(kind: type | str) -> str:
    return f"eegpt.model.{kind}" if isinstance(kind, str) else f"torch.nn.{kind.__name__}"


def _wrong_module(enc: EEGPTEncoder) -> str | None:
    """The first module the fast path reads that is not exactly the class it assumes, or has
    another geometry (patch convolution, LayerNorm width), in words; ``None`` if all are."""
    cfg = enc.config
    for path, module, kind in _assumed_modules(enc):
        if not _is(module, kind):
            found = type(module)
            parametrized = isinstance(module, nn.Module) and parametrize.is_parametrized(module)
            how = " (parametrized)" if parametrized else ""
            return (
                f"{path} is {found.__module__}.{found.__qualname__}{how}, not {_class_name(kind)}"
            )
        if isinstance(module, nn.LayerNorm) and tuple(module.normalized_shape) != (cfg.embed_dim,):
            return (
                f"{path} normalises over {tuple(module.normalized_shape)}, not ({cfg.embed_dim},)"
            )
    conv = cast(nn.Conv2d, enc.patch_embed.proj)
    geometry = tuple(getattr(conv, name) for name in _CONV_GEOMETRY)
    assumed = (1, (1, cfg.patch_size), (1, cfg.stride), (0, 0), (1, 1), 1, "zeros")
    if geometry != assumed:
        return (
            "patch_embed.proj is not the 1 x patch_size convolution of one input channel with "
            f"stride {cfg.stride}, no padding, dilation or groups the config describes"
        )
    patched = [name or "the encoder" for name, m in enc.named_modules() if "forward" in m.__dict__]
    if patched:
        return (
            f"the forward of {patched[0]} is replaced on the instance (module.forward = ...), "
            "which the fast path, reading the weights itself, would not call"
        )
    token = enc.summary_token
    if tuple(token.shape) != (1, cfg.embed_num, cfg.embed_dim):
        return (
            f"summary_token has shape {tuple(token.shape)}, not the config's "
            f"(1, {cfg.embed_num}, {cfg.embed_dim})"
        )
    return None


_CONV_GEOMETRY = ("in_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                  "padding_mode")  # fmt: skip


def _live_key(enc: EEGPTEncoder, tree: tuple) -> tuple:
    """What the fast path assumes that an edit can change without the module tree changing
    (so without renewing its :func:`_tree_entry`): the patch convolution's geometry, the
    modules whose ``forward`` is replaced on the instance (``module.forward = ...``, as some
    hook and adapter libraries patch a layer) and the summary tokens' shape. A few
    microseconds: attribute reads, and a dict lookup per module of the held tree."""
    conv = getattr(enc.patch_embed, "proj", None)
    token = getattr(enc, "summary_token", None)
    return (
        tuple(getattr(conv, name, None) for name in _CONV_GEOMETRY),
        tuple(m for m, _ in tree[1] if "forward" in m.__dict__),
        tuple(token.shape) if isinstance(token, torch.Tensor) else None,
    )


def _modules_of(enc: EEGPTEncoder) -> _Modules:
    """``enc``'s :class:`_Modules`, found once per state of its module tree (as cheap to
    check as :func:`has_hooks`: the same tree entry) and of what :func:`_live_key` reads."""
    tree = _tree_entry(enc)
    live = _live_key(enc, tree)
    compiling = torch.compiler.is_compiling()  # traced once: found afresh, not cached
    found = None if compiling else _MODULES.get(enc)
    if found is None or found.tree is not tree or found.live != live:
        gelus = tuple(m for blk in enc.blocks for m in blk.modules() if isinstance(m, nn.GELU))
        settings = tuple(
            (m, names)
            for m, _ in tree[1]
            for kind, names in _SETTINGS.items()
            if (_is(m, kind) if isinstance(kind, str) else isinstance(m, kind))
        )
        found = _Modules(tree, live, _wrong_module(enc), gelus, settings)
        if not compiling:
            _MODULES[enc] = found
    return found


def unsupported_reason(enc: EEGPTEncoder, *, say: bool = False) -> str | None:
    """Why the fast path cannot compute ``enc``'s function, in words, or ``None`` when it can.

    The fast path reads the weights of the patch convolution, the blocks' LayerNorms, ``qkv``,
    ``proj``, ``fc1`` and ``fc2`` directly and computes the exact (erf) GELU: it applies only
    where each of those modules (and the block, attention and MLP around them) is exactly the
    class it assumes, ``torch.nn.Linear``/``LayerNorm``/``Conv2d``/``Embedding`` and eegpt's
    own, with ``GELU(approximate="none")``. A wrapper (a LoRA adapter), a quantized or
    parametrized layer, a subclass or another activation get the reference path, which calls
    every module. Checked per module tree (the walk of :func:`has_hooks`) and again where an
    edit leaves the tree as it was but changes what the fast path assumes (the patch
    convolution's geometry, a ``forward`` replaced on an instance, the summary tokens' shape:
    :func:`_live_key`, per call) and, for the GELUs' ``approximate``, per call. ``say=True`` logs each reason once per encoder (INFO).
    """
    found = _modules_of(enc)
    reason = found.wrong
    if reason is None:
        reason = next(
            (f"blocks.{i}.mlp.act is GELU(approximate={g.approximate!r}), the fast path "
             "computes the exact GELU (approximate='none')"
             for i, g in enumerate(found.gelus) if g.approximate != "none"),
            None,
        )  # fmt: skip
    if reason is not None and say and not torch.compiler.is_compiling():
        said = _SAID.setdefault(enc, set())
        if reason not in said:
            said.add(reason)
            log(f"the EEGPT encoder runs its reference path (exact, slower): {reason}")
    return reason


def settings_key(enc: EEGPTEncoder) -> tuple:
    """The settings (not parameters) of ``enc``'s modules that the fast path uses: every
    LayerNorm's ``eps`` and width, every attention's ``num_heads``/``head_dim``, every GELU's
    ``approximate`` (see ``_SETTINGS``)."""
    return tuple(getattr(m, name, None) for m, names in _modules_of(enc).settings for name in names)


def fast_cache(encoder: nn.Module) -> dict:
    """``encoder``'s fast-path cache, made empty if it has none; optimizer steps are watched
    from then on, so that a step taken later drops it (:func:`watch_optimizer_steps`)."""
    watch_optimizer_steps()
    return FAST_CACHES.setdefault(encoder, {})


#: Channel sets whose fast-path terms an encoder's cache keeps (the least recently derived ones
#: are dropped past it): a service embedding windows of ever new montages would otherwise grow
#: by about 0.5 MiB per channel set of the large model.
MAX_CACHED_CHANNEL_SETS = 64


# Threads embedding at once share an encoder's cache. Listing its channel sets while another
# thread inserts one raised "dictionary changed size during iteration", two threads dropping
# the same oldest set a KeyError, and two threads finding a fresh cache emptied each other's
# entries. So every listing, eviction and emptying of a cache runs under this lock, held for
# microseconds (never while terms are derived or a forward runs); lone reads (``get``) and
# inserts are atomic in themselves and take no lock.
_cache_lock = threading.Lock()


def _remember_channels(cache: dict, key: tuple, channel: Any) -> None:
    """Cache one channel set's terms, dropping the oldest channel sets past
    :data:`MAX_CACHED_CHANNEL_SETS` (weights and other entries stay). Safe with threads
    filling the same cache at once (:data:`_cache_lock`)."""
    with _cache_lock:
        cache[key] = channel
        # list(cache): one snapshot (inserts elsewhere, e.g. weight terms, take no lock)
        held = [k for k in list(cache) if isinstance(k, tuple) and k[0] == "channels"]
        for old in held[: max(0, len(held) - MAX_CACHED_CHANNEL_SETS)]:
            cache.pop(old, None)


def validate_cache(encoder: EEGPTEncoder, cache: dict) -> bool:
    """Empty ``encoder``'s fast-path ``cache`` when a parameter (:func:`param_key`) or a
    module setting the fast path uses (:func:`settings_key`: ``eps``, ``num_heads`` ...)
    changed since it was filled; optimizer steps, mode switches and moves drop it elsewhere.
    The check and the emptying are one step for threads sharing the cache
    (:data:`_cache_lock`).

    Returns whether the cache may be kept: ``False`` (and the cache emptied) where a parameter
    is an inference tensor (made under ``torch.inference_mode``): those have no change
    counter, so an in-place write (``load_state_dict`` under inference mode) would go unseen;
    the caller derives what it needs for this call only."""
    params = param_key(encoder)
    if any(version == -1 for _, version, _, _ in params):  # inference tensors: no counter
        with _cache_lock:
            cache.clear()
        return False
    key = (params, settings_key(encoder))
    with _cache_lock:
        if cache.get("params") != key:
            cache.clear()
            # Holding the parameters' storage keeps their addresses (part of the key) unique.
            cache["params"], cache["held"] = key, [p.detach() for p in encoder.parameters()]
    return True


def plan_options(enc: EEGPTEncoder, short_attention: bool = False) -> tuple[bool, bool]:
    """``(low_rank_first_block, absorbed_last_block)`` for ``enc``: the body of
    :meth:`EEGPTEncoder.fast_plan_options`, which documents it."""
    cfg = enc.config
    low_rank = cfg.depth >= 2 and 2 * cfg.patch_size <= cfg.embed_dim
    mode = enc.last_block
    if mode not in ("auto", "absorbed", "rows"):
        raise ValueError(f"last_block must be 'auto', 'absorbed' or 'rows', got {mode!r}")
    if cfg.depth == 0:
        absorbed = False
    elif mode == "auto":
        absorbed = short_attention or enc.patch_embed.proj.weight.device.type == "cpu"
    else:
        absorbed = mode == "absorbed"
    return low_rank, absorbed


def build_plan(
    enc: EEGPTEncoder,
    chan_ids: torch.Tensor | list[int] | tuple[int, ...],
    *,
    pack: bool | None = None,
    gelu_epilogue: bool = False,
    short_attention: bool = False,
    patch_tf32: bool = False,
    stream_dtype: torch.dtype = torch.float32,
) -> FastPlan:
    """The :class:`FastPlan` of ``enc`` for the channel set ``chan_ids``, from its cache
    when it holds one: the body of :meth:`EEGPTEncoder.fast_plan`, which documents the
    options and when the cache is dropped."""
    if gelu_epilogue and not can_fuse_gelu(enc):
        raise ValueError(
            "gelu_epilogue needs CUDA and float16/bfloat16 linear weights (it approximates "
            "GELU, so the float32 path never uses it)"
        )
    if patch_tf32 and enc.patch_embed.proj.weight.device.type != "cuda":
        raise ValueError("patch_tf32 needs a CUDA device")
    if short_attention and not can_short_attend(enc):
        raise ValueError(
            "short_attention needs Triton, a CUDA device and float16/bfloat16 linear weights"
        )
    reason = unsupported_reason(enc)
    if reason is not None:
        raise ValueError(
            f"the EEGPT encoder's fast path cannot compute this encoder's function: {reason}. "
            "Call the encoder (it then runs its reference path by itself), or choose the "
            "reference path: model.fused = False (fused=False)"
        )
    # Compiling (FakeTensors: no data pointers), only the plain derived tensors are built.
    compiling = torch.compiler.is_compiling()
    caching = not (torch.is_grad_enabled() or enc.training or compiling)
    cache = fast_cache(enc) if caching else {}
    # inference tensors (no change counter): derived for this call only
    caching = caching and validate_cache(enc, cache)
    options = enc.fast_plan_options(short_attention)
    pack = not compiling and _can_pack(enc) and (pack is None or pack)
    if stream_dtype not in (torch.float32, torch.float16, torch.bfloat16):
        raise ValueError(f"stream_dtype must be float32, float16 or bfloat16, got {stream_dtype}")
    narrow = None if stream_dtype == torch.float32 else stream_dtype
    # One entry per option set (an engine's float16-stream plan and its float32 fallback
    # live side by side), all dropped when any parameter changes.
    opts = (options, pack, gelu_epilogue, short_attention, patch_tf32, narrow)
    terms = cache.get(("weights", opts)) if caching else None
    if terms is None:
        terms = _derive_weight_terms(enc, *options)
        if pack:
            terms = terms._replace(packed=_pack_linears(enc, *options))
        flags = {
            GELU_EPILOGUE: gelu_epilogue,
            SHORT_ATTENTION: short_attention,
            PATCH_TF32: patch_tf32,
            STREAM_DTYPE: narrow,
        }
        if any(flags.values()):
            terms = terms._replace(packed={**(terms.packed or {}), **flags})
        if caching:
            # plain tensors, no views of the parameters (the patch weight's ``[P, D]`` view):
            # a view holds its parameter, and torch.utils.swap_tensors, which load_state_dict
            # and .half()/.to() use under torch.__future__.set_swap_module_params_on_conversion,
            # refuses to swap a parameter another tensor holds (autograd is off here)
            terms = _detached(terms)
            cache[("weights", opts)] = terms
    ids = torch.as_tensor(chan_ids, dtype=torch.long)
    id_key = tuple(ids.tolist()) if caching else None
    channel = cache.get(("channels", opts, id_key)) if caching else None
    if channel is None:
        channel = _derive_channel_terms(enc, ids.to(enc.chan_embed.weight.device), terms)
        if caching:
            _remember_channels(cache, ("channels", opts, id_key), channel)
    return terms._replace(channel=channel)


def _detached(terms: FastPlan) -> FastPlan:
    """``terms`` with each tensor detached: none a view that holds a parameter."""
    fields = terms._asdict().items()
    detached: dict[str, Any] = {k: v.detach() for k, v in fields if isinstance(v, torch.Tensor)}
    return terms._replace(**detached)


def forward_planned(enc: EEGPTEncoder, x: torch.Tensor, plan: FastPlan) -> torch.Tensor:
    """The fast path of ``enc``: ``x`` ``[B, C, T]`` -> normalised summary tokens
    ``[B, N, S, D]`` (:meth:`EEGPTEncoder.forward_planned`, which documents it)."""
    cfg = enc.config
    b, c = x.shape[:2]
    s, d, p = cfg.embed_num, cfg.embed_dim, cfg.patch_size
    patches = enc.patch_embed.patches(x)  # [B, N, C, P]
    n = patches.shape[1]
    patches = patches.reshape(b * n, c, p)
    # One matmul for all patches, with conv bias and channel embedding added on the way out,
    # written next to the summary tokens without a concatenation.
    summary = enc.summary_token.expand(b * n, s, d)
    tf32 = plan.packed is not None and plan.packed.get(PATCH_TF32)
    projected = (matmul_tf32 if tf32 else torch.matmul)(patches, plan.patch_weight_t)
    channel = cast(ChannelTerms, plan.channel)  # build_plan sets it
    tokens = _rows_then(torch.add, (channel.token_bias, projected), summary)
    if not enc.blocks:
        return enc.norm(tokens[:, c:]).reshape(b, n, s, d)
    first = 0
    if plan.first_qkv_t is not None:
        tokens = _first_block_low_rank(enc.blocks[0], tokens, patches, plan)
        first = 1
    # a list, not enc.blocks[first:-1]: slicing a ModuleList builds a new one, registering its
    # modules on every call (which has_hooks counts, and torch.compile would guard on)
    tokens = _middle_blocks(list(enc.blocks)[first:-1], tokens, plan.packed)
    if plan.last_k is not None:
        out = _last_block_absorbed(enc.blocks[-1], tokens, s, plan)
    else:
        out = _block_rows(enc.blocks[-1], tokens, s, plan.packed)
    return enc.norm(out).reshape(b, n, s, d)


def _wide(t: torch.Tensor) -> torch.Tensor:
    """``t`` in float64 for deriving weights (float32 where the device has no float64)."""
    return t.float() if t.device.type == "mps" else t.double()


def _derive_weight_terms(enc: EEGPTEncoder, low_rank: bool, absorbed: bool) -> FastPlan:
    cfg = enc.config
    d, p = cfg.embed_dim, cfg.patch_size
    weight = enc.patch_embed.proj.weight.reshape(d, p)
    first_qkv_t = first_qkv_const = summary_qkv = last_k = last_v_t = None
    if low_rank:
        blk = enc.blocks[0]
        dtype = blk.attn.qkv.weight.dtype
        g, beta, eps = _ln_params(blk.norm1)
        wqkv, bqkv = _wide(blk.attn.qkv.weight), _bias(blk.attn.qkv, 3 * d)
        w = _wide(weight)
        wc = w - w.mean(0, keepdim=True)  # [D, P]
        first_qkv_t = (wc * g[:, None]).t() @ wqkv.t()
        first_qkv_const = (beta @ wqkv.t() + bqkv).to(dtype)
        summary = F.layer_norm(_wide(enc.summary_token[0]), (d,), g, beta, eps)
        summary_qkv = (summary @ wqkv.t() + bqkv).to(dtype)
    if absorbed:
        attn = enc.blocks[-1].attn
        h, hd = attn.num_heads, attn.head_dim
        wqkv = attn.qkv.weight
        last_k = (_wide(wqkv[d : 2 * d]) * hd**-0.5).to(wqkv.dtype).reshape(h, hd, d)
        last_v_t = wqkv[2 * d :].reshape(h, hd, d).transpose(1, 2).contiguous()
    return FastPlan(weight.t(), first_qkv_t, first_qkv_const, summary_qkv, last_k, last_v_t)


def _derive_channel_terms(
    enc: EEGPTEncoder, chan_ids: torch.Tensor, terms: FastPlan
) -> ChannelTerms:
    token_bias = enc.token_bias(chan_ids)
    first_qkv = one_hot = None
    if terms.first_qkv_t is not None:
        blk = enc.blocks[0]
        g = _ln_params(blk.norm1)[0]
        tb = _wide(token_bias)
        centred = (tb - tb.mean(-1, keepdim=True)) * g
        offset = centred @ _wide(blk.attn.qkv.weight).t()  # [C, 3D]
        stacked = torch.cat([terms.first_qkv_t, offset]).t()  # [3D, P + C]
        first_qkv = stacked.to(blk.attn.qkv.weight.dtype).contiguous()
        one_hot = torch.eye(len(chan_ids), dtype=token_bias.dtype, device=token_bias.device)
    return ChannelTerms(token_bias, first_qkv, one_hot)


def _ln_params(norm: nn.LayerNorm) -> tuple[torch.Tensor, torch.Tensor, float]:
    """``(scale, shift, eps)`` of a LayerNorm in float64 (ones/zeros when it has none)."""
    (d,) = norm.normalized_shape
    ref = _wide(torch.zeros((), device=_device_of(norm)))
    g = ref.new_ones(d) if norm.weight is None else _wide(norm.weight)
    beta = ref.new_zeros(d) if norm.bias is None else _wide(norm.bias)
    return g, beta, norm.eps


def _bias(linear: nn.Linear, size: int) -> torch.Tensor:
    if linear.bias is None:
        return _wide(linear.weight.new_zeros(size))
    return _wide(linear.bias)


def _device_of(module: nn.Module) -> torch.device:
    return next(module.parameters(), torch.empty(0)).device


def _rows_then(op: Callable[..., torch.Tensor], args: tuple, tail: torch.Tensor) -> torch.Tensor:
    """``cat([op(*args), tail], dim=1)`` for ``op(*args)`` ``[L, a, F]`` and ``tail`` ``[L, b, F]``.

    In eager inference ``op`` writes straight into the output buffer (no concatenation copy);
    with autograd, or under ``torch.compile``, a plain concatenation is used. The result has
    ``tail``'s dtype.
    """
    tensors = [a for a in (*args, tail) if isinstance(a, torch.Tensor)]
    needs_grad = torch.is_grad_enabled() and any(t.requires_grad for t in tensors)
    if needs_grad or torch.compiler.is_compiling():  # the compiler plans its own buffers
        return torch.cat([op(*args).to(tail.dtype), tail], dim=1)
    # numpy's rule, which is torch's: torch.broadcast_shapes's first call imports torch._refs
    # and with it sympy (0.4 s of CPU, more than a depth-1 model takes for 450 windows)
    rows, a, f = np.broadcast_shapes(*(tuple(t.shape) for t in tensors[:-1]))
    out = tail.new_empty(rows, a + tail.shape[1], f)
    op(*args, out=out[:, :a])
    out[:, a:] = tail
    return out


# Mixed-precision building blocks. The residual stream keeps the dtype of the tokens (float32);
# every matmul runs in its layer's weight dtype, the input being cast to it. With float32 weights
# the casts are no-ops and each helper is operation for operation the module's forward.
# ``packed`` maps a linear layer (or ``(qkv layer, "q" | "kv")`` for the row slices the last
# block uses) to its oneDNN-packed weight; layers without an entry run through ``F.linear``.


def _can_pack(enc: EEGPTEncoder) -> bool:
    """oneDNN-packed linears apply: CPU inference with float32 weights, or bfloat16 weights on a
    CPU with native bf16 support (AVX-512 BF16/AMX or AVX-NE-CONVERT; not plain AVX2)."""
    weight = enc.blocks[0].mlp.fc1.weight if len(enc.blocks) else None
    if (
        weight is None
        or weight.device.type != "cpu"
        or torch.is_grad_enabled()
        or not torch.backends.mkldnn.is_available()
        or not hasattr(torch.ops.mkldnn, "_linear_pointwise")
    ):
        return False
    if weight.dtype == torch.float32:
        return True
    return weight.dtype == torch.bfloat16 and native_cpu_matmul(torch.bfloat16)


#: The x86 instructions that multiply reduced-precision matrices natively, as
#: :func:`torch.cpu.get_capabilities` names them, with the name eegpt gives them. oneDNN
#: reports bfloat16 supported on any AVX-512 CPU (Skylake to Ice Lake Xeons, Tiger Lake
#: laptops), where without AVX-512 BF16 it is emulated, ~2-4x slower than float32.
_NATIVE_X86 = {
    torch.bfloat16: (
        ("amx_bf16", "AMX-BF16"),
        ("avx512_bf16", "AVX512-BF16"),
        ("avx_ne_convert", "AVX-NE-CONVERT"),
    ),
    torch.float16: (
        ("amx_fp16", "AMX-FP16"),
        ("avx512_fp16", "AVX512-FP16"),
        ("avx_ne_convert", "AVX-NE-CONVERT"),
    ),
}


def _onednn_supports(dtype: torch.dtype) -> bool:
    """oneDNN (through torch) says it runs ``dtype`` matrix products on this CPU, natively or
    emulated (bfloat16: any AVX-512 CPU)."""
    check = {
        torch.bfloat16: getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None),
        torch.float16: getattr(torch.ops.mkldnn, "_is_mkldnn_fp16_supported", None),
    }.get(dtype)
    return check is not None and bool(check())


def _cpu_capabilities() -> Mapping[str, Any] | None:
    """:func:`torch.cpu.get_capabilities` (the CPU's instruction sets, by cpuinfo); None where
    this torch lacks it."""
    get = getattr(torch.cpu, "get_capabilities", None)
    try:
        return None if get is None else get()
    except Exception:  # noqa: BLE001 - an unknown CPU: no better answer than oneDNN's
        return None


def cpu_matmul_instructions(dtype: torch.dtype) -> str | None:
    """The instructions this CPU multiplies ``dtype`` (bfloat16, float16) matrices with
    natively through oneDNN: ``"AMX-BF16"``, ``"AVX512-BF16"``, ``"AVX-NE-CONVERT"``
    (``"AMX-FP16"``, ``"AVX512-FP16"`` for float16); off x86, or where torch cannot list the
    CPU's instruction sets, ``"native"`` where oneDNN supports the type. None where oneDNN
    emulates it (bfloat16 on AVX-512 without BF16, and on AVX2) or cannot run it."""
    if not _onednn_supports(dtype):
        return None
    caps = _cpu_capabilities()
    if caps is None or caps.get("architecture") not in ("x86_64", "x86"):
        return "native"
    return next((name for flag, name in _NATIVE_X86.get(dtype, ()) if caps.get(flag)), None)


def native_cpu_matmul(dtype: torch.dtype) -> bool:
    """This CPU has native ``dtype`` matrix instructions (float32 always; bfloat16: AVX-512
    BF16/AMX-BF16/AVX-NE-CONVERT; float16: AVX-512 FP16/AMX-FP16/AVX-NE-CONVERT:
    :func:`cpu_matmul_instructions`). Without them oneDNN emulates the type, much slower than
    float32 (bfloat16 on an AVX-512 CPU without BF16 too, which oneDNN counts as supported)."""
    return dtype == torch.float32 or cpu_matmul_instructions(dtype) is not None


def can_fuse_gelu(enc: EEGPTEncoder) -> bool:
    """The fused fc1 + GELU epilogue applies: CUDA with float16/bfloat16 MLP weights."""
    if not len(enc.blocks):
        return False
    weight = enc.blocks[0].mlp.fc1.weight
    return weight.device.type == "cuda" and weight.dtype in (torch.float16, torch.bfloat16)


def can_short_attend(enc: EEGPTEncoder) -> bool:
    """The Triton short-sequence attention kernel can run this encoder's attention (sequences
    longer than :data:`eegpt.short_attention.MAX_TOKENS` fall back to SDPA per call)."""
    if not len(enc.blocks):
        return False
    weight = enc.blocks[0].attn.qkv.weight
    return (
        short_attn.available(weight.device)
        and weight.dtype in (torch.float16, torch.bfloat16)
        and short_attn.head_dim_supported(enc.config.head_dim)
    )


def _pack_linears(enc: EEGPTEncoder, low_rank: bool, absorbed: bool) -> dict:
    """oneDNN-packed copies of the weights the fast path multiplies by (see ``_linear``)."""
    reorder = torch.ops.mkldnn._reorder_linear_weight
    packed: dict = {}
    last = len(enc.blocks) - 1
    for i, blk in enumerate(enc.blocks):
        qkv, d = blk.attn.qkv, blk.attn.qkv.in_features
        if i == last:
            packed[(qkv, "q")] = reorder(qkv.weight[:d].contiguous(), None)
            if not absorbed:
                packed[(qkv, "kv")] = reorder(qkv.weight[d:].contiguous(), None)
        elif not (i == 0 and low_rank):
            packed[qkv] = reorder(qkv.weight, None)
        for layer in (blk.attn.proj, blk.mlp.fc1, blk.mlp.fc2):
            packed[layer] = reorder(layer.weight, None)
    return packed


def _linear(
    x: torch.Tensor,
    layer: nn.Linear,
    packed: dict | None = None,
    *,
    gelu: bool = False,
    part: str | None = None,
) -> torch.Tensor:
    """``layer(x)``, then GELU if asked, in the layer's weight dtype.

    ``part`` = ``"q"``/``"kv"``: only the first D / last 2D output rows of a fused qkv layer.
    """
    w: torch.Tensor = layer.weight
    b: torch.Tensor | None = layer.bias
    if part is not None:
        rows = slice(0, layer.in_features) if part == "q" else slice(layer.in_features, None)
        w, b = w[rows], None if b is None else b[rows]
    x = x.to(w.dtype)
    pw = None if packed is None else packed.get(layer if part is None else (layer, part))
    if pw is not None:
        shape = x.shape
        y = torch.ops.mkldnn._linear_pointwise(
            x.reshape(-1, shape[-1]).contiguous(),
            pw,
            b,
            "gelu" if gelu else "none",
            [],
            "none" if gelu else "",  # "none": the exact (erf) GELU
        )
        return y.reshape(*shape[:-1], y.shape[-1])
    if gelu and packed is not None and packed.get(GELU_EPILOGUE) and b is not None:
        return linear_gelu_tanh(x, w, b)
    y = F.linear(x, w, b)
    return F.gelu(y) if gelu else y


def _f32(x: torch.Tensor) -> torch.Tensor:
    return x if x.dtype == torch.float32 else x.float()


def _norm(x: torch.Tensor, norm: nn.LayerNorm, dtype: torch.dtype) -> torch.Tensor:
    """LayerNorm in float32 (also of a narrower stored stream), returned in ``dtype`` (the next
    matmul's)."""
    return norm(_f32(x)).to(dtype)


def _mlp(mlp: MLP, x: torch.Tensor, packed: dict | None = None) -> torch.Tensor:
    return _linear(_linear(x, mlp.fc1, packed, gelu=True), mlp.fc2, packed)


def _kernels_on(packed: dict | None) -> bool:
    """The plan routes attention through eegpt's Triton kernels (``SHORT_ATTENTION``)."""
    return bool(packed and packed.get(SHORT_ATTENTION))


def _sdpa(
    attn: Attention,
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    packed: dict | None = None,
) -> torch.Tensor:
    """Multi-head attention of ``[L, n_q, D]`` queries on ``[L, n, D]`` keys/values, projected."""
    if _kernels_on(packed) and short_attn.supports(q, k, attn.num_heads):
        y = short_attn.short_attention(q, k, v, attn.num_heads)
    else:
        y = F.scaled_dot_product_attention(attn._heads(q), attn._heads(k), attn._heads(v))
        y = y.transpose(1, 2).flatten(2)
    return _linear(y, attn.proj, packed)


def _block(blk: Block, t: torch.Tensor, packed: dict | None = None) -> torch.Tensor:
    """A full block, ``[L, n, D] -> [L, n, D]``."""
    dtype = blk.attn.qkv.weight.dtype
    q, k, v = _linear(_norm(t, blk.norm1, dtype), blk.attn.qkv, packed).chunk(3, dim=-1)
    return _residual_mlp(blk, t, _sdpa(blk.attn, q, k, v, packed), packed)


def _residual_mlp(
    blk: Block, t: torch.Tensor, a: torch.Tensor, packed: dict | None
) -> torch.Tensor:
    """The rest of a block after attention: ``u = t + a``, then ``u + mlp(norm2(u))``, summed
    in float32 and stored in the plan's stream dtype (float32 unless ``STREAM_DTYPE``).

    Compiled, the sum is written ``t + (a + mlp(...))`` (rounding differs in the last bit):
    ``u`` then feeds only the LayerNorm, which computes it on the fly, so the stream is written
    once per block instead of twice.
    """
    u = _f32(t) + a
    m = _mlp(blk.mlp, _norm(u, blk.norm2, blk.mlp.fc1.weight.dtype), packed)
    out = _f32(t) + (_f32(a) + m) if torch.compiler.is_compiling() else u + m
    stream = packed.get(STREAM_DTYPE) if packed else None
    return out if stream is None else out.to(stream)


def _middle_blocks(blocks: list[Block], t: torch.Tensor, packed: dict | None) -> torch.Tensor:
    """The full blocks between the first and the last, in order: ``[L, n, D] -> [L, n, D]``."""
    for blk in blocks:
        t = _block(blk, t, packed)
    return t


def _attention_rows(
    attn: Attention, h: torch.Tensor, n_rows: int, packed: dict | None = None
) -> torch.Tensor:
    """Attention output for the last ``n_rows`` of normalised tokens ``h`` ``[L, n, D]``."""
    q = _linear(h[:, -n_rows:], attn.qkv, packed, part="q")
    k, v = _linear(h, attn.qkv, packed, part="kv").chunk(2, dim=-1)
    return _sdpa(attn, q, k, v, packed)


def _block_rows(
    blk: Block, t: torch.Tensor, n_rows: int, packed: dict | None = None
) -> torch.Tensor:
    """A block's output for the last ``n_rows`` tokens only, ``[L, n, D] -> [L, n_rows, D]``."""
    h = _norm(t, blk.norm1, blk.attn.qkv.weight.dtype)
    out = _f32(t[:, -n_rows:]) + _attention_rows(blk.attn, h, n_rows, packed)
    return out + _mlp(blk.mlp, _norm(out, blk.norm2, blk.mlp.fc1.weight.dtype), packed)


def _first_block_low_rank(
    blk: Block, tokens: torch.Tensor, patches: torch.Tensor, plan: FastPlan
) -> torch.Tensor:
    """First block on ``tokens`` ``[L, C + S, D]`` with the low-rank qkv (see :class:`FastPlan`).

    ``patches`` ``[L, C, P]`` are the raw patches the channel tokens were projected from.
    """
    seqs, c, _ = patches.shape
    heads = blk.attn.num_heads
    # set by build_plan whenever first_qkv_t is (the caller's condition); cast: no run-time check
    channel = cast(ChannelTerms, plan.channel)
    weight, one_hot = cast(torch.Tensor, channel.first_qkv), cast(torch.Tensor, channel.one_hot)
    summary_qkv = cast(torch.Tensor, plan.summary_qkv)
    if seqs == 0:  # no windows: var_mean over nothing would warn "degrees of freedom <= 0"
        rstd = tokens.new_empty(0, c, 1)
    else:
        var, _ = torch.var_mean(tokens[:, :c], dim=-1, keepdim=True, correction=0)
        rstd = (var + blk.norm1.eps).rsqrt_()  # [L, C, 1]
    # [patch, one_hot(channel)] * rstd: one matmul (bias = the constant term) gives the qkv
    inputs = torch.cat([patches, one_hot.expand(seqs, c, c)], dim=-1).mul_(rstd)
    chan_qkv = F.linear(inputs.to(weight.dtype), weight, plan.first_qkv_const)  # [L, C, 3D]
    q, k, v = chan_qkv.chunk(3, dim=-1)
    if _kernels_on(plan.packed) and short_attn.supports(q, k, heads, len(summary_qkv)):
        # the summary rows' q/k/v are read from the [S, 3D] constant, not concatenated
        y = short_attn.short_attention(q, k, v, heads, *summary_qkv.chunk(3, dim=-1))
        a = _linear(y, blk.attn.proj, plan.packed)
    else:
        qkv = torch.cat([chan_qkv, summary_qkv.expand(seqs, *summary_qkv.shape)], 1)
        q, k, v = qkv.chunk(3, dim=-1)
        a = _sdpa(blk.attn, q, k, v, plan.packed)
    return _residual_mlp(blk, tokens, a, plan.packed)


def _last_block_absorbed(
    blk: Block, tokens: torch.Tensor, n_rows: int, plan: FastPlan
) -> torch.Tensor:
    """Last block for the last ``n_rows`` tokens with absorbed key/value projections.

    ``[L, n, D] -> [L, n_rows, D]``; see :class:`FastPlan` for the algebra.
    """
    attn = blk.attn
    seqs, _, d = tokens.shape
    heads, hd = attn.num_heads, attn.head_dim
    w, b = attn.qkv.weight, attn.qkv.bias
    # set by build_plan for the absorbed form (the caller's condition); cast: no run-time check
    last_k, last_v_t = cast(torch.Tensor, plan.last_k), cast(torch.Tensor, plan.last_v_t)
    h = _norm(tokens, blk.norm1, w.dtype)  # [L, n, D]
    q = _linear(h[:, -n_rows:], attn.qkv, plan.packed, part="q")  # [L, S, D]
    q = q.reshape(seqs * n_rows, heads, hd).transpose(0, 1)  # [H, L*S, hd]
    qk = torch.bmm(q, last_k)  # [H, L*S, D]
    if _kernels_on(plan.packed) and h.shape[1] <= short_attn.MAX_TOKENS:
        # scores, softmax and the weighted sum of tokens in one pass over h
        z = short_attn.summary_attention(qk.view(heads, seqs, n_rows, d), h)
        z = z.view(heads, seqs * n_rows, d)
    else:
        qk = qk.reshape(heads, seqs, n_rows * d).transpose(0, 1).reshape(seqs, heads * n_rows, d)
        probs = torch.bmm(qk, h.transpose(1, 2)).softmax(dim=-1)  # [L, H*S, n]
        z = torch.bmm(probs, h)  # [L, H*S, D]
        z = z.reshape(seqs, heads, n_rows * d).transpose(0, 1).reshape(heads, seqs * n_rows, d)
    y = torch.bmm(z, last_v_t)  # [H, L*S, hd]
    y = y.transpose(0, 1).reshape(seqs, n_rows, d)
    if b is not None:
        y = y + b[2 * d :]
    out = _f32(tokens[:, -n_rows:]) + _linear(y, attn.proj, plan.packed)
    return out + _mlp(blk.mlp, _norm(out, blk.norm2, blk.mlp.fc1.weight.dtype), plan.packed)
