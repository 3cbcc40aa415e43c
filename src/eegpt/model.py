"""The EEGPT encoder, in plain PyTorch, and :class:`EEGPT` (the encoder with its heads).

Shapes use B = batch, C = channels, T = samples, N = time patches, S = summary tokens
(``embed_num``), D = ``embed_dim``.

The encoder treats every time patch independently: the C channel tokens of one patch plus S
learned summary tokens form one sequence of length C + S, and attention mixes channels, never
time. Output: the S summary tokens of each patch, ``[B, N, S, D]``.

Parameter names follow the released checkpoint and braindecode (``patch_embed.proj``,
``chan_embed``, ``summary_token``, ``blocks.i.attn.qkv`` ...), so weights load without renaming.

Two execution paths compute the same function:

* ``fused=False`` -- the reference path (this module: :class:`PatchEmbed`, :class:`Block`,
  ``EEGPTEncoder._forward_reference``): Conv2d patch embedding, concatenated summary tokens
  and full blocks, operation for operation as the published model.
* ``fused=True`` (default) -- the fast path (:mod:`eegpt.fast_path`,
  :meth:`EEGPTEncoder.forward_planned`): the patch embedding as one matmul, a low-rank first
  block, a last block that computes only the S summary rows, from weights derived once
  (:class:`~eegpt.fast_path.FastPlan`, cached in eval-mode inference:
  :meth:`EEGPTEncoder.fast_plan` says when the cache is dropped). Tested against the reference
  path to float32 precision (max relative error ~1e-6). Under ``torch.func`` transforms
  (``vmap`` over inputs or over an ensemble's stacked parameters with ``functional_call``,
  per-sample ``vmap(grad(...))``) the reference path runs instead, and so it does while a
  forward or backward hook is registered on the encoder, one of its submodules or every module
  (:func:`~eegpt.fast_path.has_hooks`): the fast path calls only the LayerNorms as modules,
  so other hooks would not run; and so it does where a module the fast path reads is not
  exactly the class it assumes (a LoRA wrapper, a quantized or parametrized layer, another
  activation: :func:`~eegpt.fast_path.unsupported_reason`, logged once).

:meth:`EEGPTEncoder.forward_intermediates` gives the reference path's input tokens, each
block's residual stream and attention weights. The probe heads (:class:`LinearProbe`,
:class:`ChannelProjection`, the max-norm layers) live in :mod:`eegpt.heads` and are importable
from here too, as are the fast path's public names (:class:`FastPlan`, :func:`has_hooks` ...).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast, overload

import torch
import torch.nn.functional as F
from torch import nn

from eegpt import fast_path
from eegpt._methods import function_method
from eegpt._weights_watch import (
    FAST_CACHES,
    STEPPED_OPTIMIZERS,
    live_items,
    parameter_ids,
    steps_if_watched,
    training_spells,
    watch_optimizer_steps,
)
from eegpt.config import EEGPTConfig, get_config

# noqa F401: the public names of eegpt.fast_path and eegpt.heads not used here are re-exported,
# importable from eegpt.model as they were before they moved there.
from eegpt.fast_path import (  # noqa: F401
    GELU_EPILOGUE,
    MAX_CACHED_CHANNEL_SETS,
    PATCH_TF32,
    SHORT_ATTENTION,
    STREAM_DTYPE,
    ChannelTerms,
    FastPlan,
    fast_cache,
    has_hooks,
    linear_gelu_tanh,
    matmul_tf32,
    native_cpu_matmul,
    validate_cache,
)
from eegpt.heads import (  # noqa: F401
    ChannelProjection,
    Conv1dWithConstraint,
    LinearProbe,
    LinearWithConstraint,
    renorm_constrained_,
)

if TYPE_CHECKING:
    import eegpt.api


class MLP(nn.Module):
    """Two-layer GELU MLP, ``[..., D] -> [..., D]``."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    """Multi-head self-attention over a token sequence ``[L, n, D] -> [L, n, D]``."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        # [L, n, D] -> [L, heads, n, head_dim]
        return t.unflatten(-1, (self.num_heads, self.head_dim)).transpose(1, 2)

    def attention_weights(self, h: torch.Tensor) -> torch.Tensor:
        """Attention weights ``[L, heads, n, n]`` on normalised tokens ``h`` ``[L, n, D]``:
        ``softmax(q kᵀ · head_dim^-0.5)``, one row per query summing to 1 over the keys, exactly
        the weights :meth:`forward` applies to the values. Computed from the ``qkv`` weights
        directly, so hooks on ``qkv`` do not run a second time."""
        q, k, _ = F.linear(h, self.qkv.weight, self.qkv.bias).chunk(3, dim=-1)
        scores = self._heads(q) @ self._heads(k).transpose(-2, -1) * self.head_dim**-0.5
        return scores.softmax(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        y = F.scaled_dot_product_attention(self._heads(q), self._heads(k), self._heads(v))
        return self.proj(y.transpose(1, 2).flatten(2))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))`` then ``x + mlp(norm2(x))``."""

    def __init__(self, config: EEGPTConfig) -> None:
        super().__init__()
        dim, eps = config.embed_dim, config.layer_norm_eps
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, config.num_heads, config.qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLP(dim, config.mlp_hidden)

    def attention_weights(self, x: torch.Tensor) -> torch.Tensor:
        """The block's attention weights ``[L, heads, n, n]`` on its input residual stream
        ``x`` ``[L, n, D]`` (see :meth:`Attention.attention_weights`), from ``norm1``'s and
        ``qkv``'s weights: hooks inside the block neither run again nor change them."""
        norm = self.norm1
        h = F.layer_norm(x, norm.normalized_shape, norm.weight, norm.bias, norm.eps)
        return self.attn.attention_weights(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


if TYPE_CHECKING:

    class BlockList(nn.ModuleList):
        """``nn.ModuleList`` of :class:`Block` as the type checker sees it (the stubs type its
        items as ``nn.Module``); at run time ``BlockList`` is ``nn.ModuleList`` itself."""

        @overload
        def __getitem__(self, idx: slice) -> BlockList: ...
        @overload
        def __getitem__(self, idx: int) -> Block: ...
        def __getitem__(self, idx: int | slice) -> Block | BlockList: ...
        def __iter__(self) -> Iterator[Block]: ...

else:
    BlockList = nn.ModuleList


class PatchEmbed(nn.Module):
    """Per-channel patch projection, ``[B, C, T] -> [B, N, C, D]`` (Conv2d with a 1 x P kernel)."""

    def __init__(self, config: EEGPTConfig) -> None:
        super().__init__()
        self.config = config
        self.proj = nn.Conv2d(
            1, config.embed_dim, kernel_size=(1, config.patch_size), stride=(1, config.stride)
        )

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """Zero-pad the time axis of ``x`` ``[..., T]`` so that the last patch is complete.

        While ``torch.jit.trace`` or ``torch.export`` records the model, the amount is computed
        from the recorded length and always applied (zero when ``T`` fills whole patches): a
        branch on it would be recorded for the example's length alone, and a graph exported
        with a dynamic time axis would then drop the tail of any other length."""
        if _tracing():
            return F.pad(x, (0, self._tail_padding(x.shape[-1])))
        extra = self.config.padded_length(x.shape[-1]) - x.shape[-1]
        return F.pad(x, (0, extra)) if extra else x

    def _tail_padding(self, n_times: Any) -> Any:
        """Zeros to append to ``n_times`` samples (``config.padded_length(n_times) - n_times``)
        in arithmetic alone (no comparison), so that a traced or symbolic length (a size
        recorded by ``torch.jit.trace``, a ``SymInt`` of ``torch.export``) stays one."""
        patch, stride = self.config.patch_size, self.config.stride
        n_patches = (n_times - patch + stride - 1) // stride + 1
        return (n_patches - 1) * stride + patch - n_times

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.pad(x).unsqueeze(1)).permute(0, 3, 2, 1)

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """Raw patches ``[B, N, C, P]`` (a view when stride == patch size and no padding)."""
        cfg = self.config
        x = self.pad(x)
        return x.unfold(-1, cfg.patch_size, cfg.stride).transpose(1, 2)


#: The key a not-pretrained model's :meth:`~torch.nn.Module.state_dict` sets in its
#: ``_metadata`` (the per-module entries ``load_state_dict`` hands each module; no tensor key
#: added), so that a model loading it (``load_state_dict``, also ``strict=False``) is not
#: pretrained either (:attr:`EEGPT.not_pretrained`).
NOT_PRETRAINED_MARK = "eegpt_not_pretrained"


class _RandomWeightsMark:
    """What :attr:`EEGPT.has_random_weights` and :attr:`EEGPTEncoder.has_random_weights`
    read: each parameter's in-place change counter when the module was built
    (:meth:`_note_built`) and the optimizer steps since (fused optimizers bump no counter:
    :func:`~eegpt._weights_watch.watch_optimizer_steps`), carried as a flag through copies
    and pickles, whose tensors' counters start anew. Loads are noted apart
    (:func:`_note_state_loaded`)."""

    _initial_versions: tuple[int, ...] | None
    _initial_optimizer_steps: int | None

    def _note_built(self) -> None:
        """Remember the weights as built (random): their change counters and the step count."""
        self._initial_versions = self._weight_versions()
        self._initial_optimizer_steps = self._step_count()

    def _step_count(self) -> int | None:
        """The optimizer step count now, steps watched from here on
        (:func:`~eegpt._weights_watch.watch_optimizer_steps`)."""
        return watch_optimizer_steps()

    def _weight_versions(self) -> tuple[int, ...]:
        """Each parameter's in-place change counter (``Tensor._version``)."""
        module = cast(nn.Module, self)
        return tuple(-1 if p.is_inference() else p._version for p in module.parameters())

    def _stepped_by_optimizer(
        self, since: int | None = None, module: nn.Module | None = None
    ) -> bool:
        """Whether a ``torch.optim`` optimizer holding one of the parameters (by identity) of
        ``module`` (default: the whole model) has stepped since the optimizer step count was
        ``since`` (default: when the model was built); fused optimizers do not bump
        ``_version``, so this is how their steps are seen."""
        if since is None:
            since = getattr(self, "_initial_optimizer_steps", None)
        if since is None:
            return True
        stepped = [opt for opt, last in live_items(STEPPED_OPTIMIZERS) if last > since]
        if not stepped:
            return False
        mine = [id(p) for p in (module or cast(nn.Module, self)).parameters()]
        return any(not parameter_ids(opt).isdisjoint(mine) for opt in stepped)

    def _unchanged_since_built(self) -> bool:
        """No parameter changed in place (training, ``copy_``) and no optimizer holding one
        stepped since the module was built (or copied while random)."""
        if getattr(self, "_initial_versions", None) != self._weight_versions():
            return False
        return not self._stepped_by_optimizer()

    @property
    def has_random_weights(self) -> bool:  # each model class says what else clears it
        raise NotImplementedError

    @property
    def not_pretrained(self) -> bool:
        """Whether the weights are known not to be EEGPT's pretrained ones: still random
        (:attr:`has_random_weights`), or loaded (``load_state_dict``) from the state dict of a
        model that was not pretrained, which carries the mark in its ``_metadata``
        (:data:`NOT_PRETRAINED_MARK`: the same keys), trained since or not. False where
        unknown (weights loaded from a plain dict of tensors, trained from random)."""
        return self.has_random_weights or _loaded_not_pretrained(cast(nn.Module, self))

    def _save_to_state_dict(self, destination: Any, prefix: str, keep_vars: bool) -> None:
        super()._save_to_state_dict(destination, prefix, keep_vars)  # type: ignore[misc]
        # the mark rides in the state dict's metadata (kept by torch.save and OrderedDict
        # copies, lost by a dict comprehension), so a model copied from it is not pretrained
        metadata = getattr(destination, "_metadata", None)
        if isinstance(metadata, dict) and self.not_pretrained:
            metadata.setdefault(prefix[:-1], {})[NOT_PRETRAINED_MARK] = True

    def _load_from_state_dict(
        self, state_dict: Any, prefix: str, local_metadata: Any, *args: Any, **kwargs: Any
    ) -> None:
        _note_state_loaded(cast(nn.Module, self), state_dict, prefix, local_metadata)
        super()._load_from_state_dict(  # type: ignore[misc]
            state_dict, prefix, local_metadata, *args, **kwargs
        )

    def __getstate__(self) -> dict[str, Any]:
        # a copy (copy.deepcopy, pickle: worker processes) of a random model is one too; its
        # tensors' change counters start anew, so the flag travels instead
        state = dict(self.__dict__)
        state["_random_when_copied"] = self.has_random_weights
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        random = state.pop("_random_when_copied", False)
        super().__setstate__(state)  # type: ignore[misc]  # nn.Module's, next in the MRO
        # the copy's counters start anew: compare with them if it was random, else never
        self._initial_versions = self._weight_versions() if random else None
        self._initial_optimizer_steps = self._step_count()


class EEGPTEncoder(_RandomWeightsMark, nn.Module):
    """The EEGPT encoder (``target_encoder`` in the released checkpoint).

    Parameters
    ----------
    config : EEGPTConfig | str
        Architecture, or the name of a preset (``"large"`` is the released model).
    fused : bool
        Use the fast path (see module docstring). Both paths compute the same function.
    """

    #: Last-block algorithm of the fast path: ``"auto"``, ``"absorbed"`` or ``"rows"``
    #: (see :meth:`fast_plan_options`).
    last_block: str = "auto"

    def __init__(self, config: EEGPTConfig | str = "large", *, fused: bool = True) -> None:
        super().__init__()
        config = get_config(config)
        self.config = config
        self.fused = fused
        self.patch_embed = PatchEmbed(config)
        self.chan_embed = nn.Embedding(config.n_chan_embeddings, config.embed_dim)
        self.summary_token = nn.Parameter(torch.zeros(1, config.embed_num, config.embed_dim))
        self.blocks = BlockList(Block(config) for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.embed_dim, eps=config.layer_norm_eps)
        self.reset_parameters()
        self._note_built()

    @property
    def has_random_weights(self) -> bool:
        """Whether the weights are still the random initialisation of ``EEGPTEncoder(...)``,
        as :attr:`EEGPT.has_random_weights` tells it of a whole model: nothing loaded into
        it (``load_state_dict``, of it or of a model holding it), no parameter changed since
        it was built and no optimizer holding one stepped; copies and pickles keep it. What
        a probe or fine-tuning of a bare encoder records as not pretrained
        (:func:`~eegpt.probe_encoder.encoder_reference`).

        Building an encoder does not start eegpt's watch of optimizer steps (only its first
        cached forward does): while steps were not watched since it was built, a fused
        optimizer's step (which bumps no change counter) is told by the gradients it needs,
        so an encoder whose parameters hold gradients is not taken for random."""
        if _state_was_loaded(self):
            return False
        if getattr(self, "_initial_optimizer_steps", None) is not None:
            return self._unchanged_since_built()
        if getattr(self, "_initial_versions", None) != self._weight_versions():
            return False
        return all(p.grad is None for p in self.parameters())

    def _step_count(self) -> int | None:
        """The optimizer step count where steps are watched already, else None: building or
        copying a bare encoder registers no global optimizer hook."""
        return steps_if_watched()

    @torch.no_grad()
    def reset_parameters(self, std: float = 0.02) -> None:
        """Random initialisation of the original code (truncated normal, depth-scaled outputs)."""
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=std)
        nn.init.trunc_normal_(self.summary_token, std=std)
        for i, blk in enumerate(self.blocks, start=1):
            blk.attn.proj.weight.div_((2.0 * i) ** 0.5)
            blk.mlp.fc2.weight.div_((2.0 * i) ** 0.5)

    def _check(self, x: torch.Tensor, chan_ids: torch.Tensor) -> None:
        if x.ndim != 3:
            raise ValueError(
                f"expected input [batch, channels, samples], got shape {tuple(x.shape)}"
            )
        if chan_ids.ndim != 1 or chan_ids.numel() != x.shape[1]:
            raise ValueError(
                f"chan_ids must list one vocabulary index per input channel "
                f"({x.shape[1]}), got shape {tuple(chan_ids.shape)}"
            )
        if (
            chan_ids.dtype.is_floating_point
            or chan_ids.dtype.is_complex
            or chan_ids.dtype == torch.bool
        ):
            raise ValueError(
                f"chan_ids must be integers (an integer dtype such as torch.long, not "
                f"{str(chan_ids.dtype).removeprefix('torch.')}): rows of the channel vocabulary "
                f"(eegpt.channels.CHANNEL_INDEX); got {chan_ids.tolist()[:8]}. A float id would "
                "be cut to an integer without a word (1.7 read as row 1), so none is taken, "
                "whole or not (as EEGPT.encode takes none). Map channel names with "
                "eegpt.channels.map_channels(names).chan_ids"
            )
        weight = getattr(self.patch_embed.proj, "weight", None)
        if (
            isinstance(weight, torch.Tensor)
            and x.dtype != weight.dtype
            and not torch.is_autocast_enabled(x.device.type)
        ):
            raise TypeError(
                f"x is {x.dtype} but the encoder's weights are {weight.dtype}: convert it "
                f"(x.to({weight.dtype})) or the model"
            )

    def forward(self, x: torch.Tensor, chan_ids: torch.Tensor) -> torch.Tensor:
        """Encode ``x`` ``[B, C, T]`` with channel vocabulary indices ``chan_ids`` ``[C]``.

        Returns the normalised summary tokens ``[B, N, S, D]``. Units, channel indices and the
        cost of calling it with autograd enabled: see :meth:`EEGPT.encode`.
        """
        _refuse_fx_proxy(x)
        self._check(x, chan_ids)
        chan_ids = chan_ids.to(device=x.device, dtype=torch.long)
        try:
            if self._takes_fast_path(x):
                return self._forward_fused(x, chan_ids)
            return self._forward_reference(x, chan_ids)
        except IndexError:
            self._refuse_outside_vocabulary(chan_ids)
            raise

    def _refuse_outside_vocabulary(self, chan_ids: torch.Tensor) -> None:
        """After an ``IndexError`` of the channel embedding: the ids outside the vocabulary
        named (:func:`check_chan_ids`'s ``ValueError``) instead of torch's "index out of range
        in self"; nothing where all are inside (the error was another)."""
        check_chan_ids(chan_ids, chan_ids.numel(), self.chan_embed.num_embeddings)

    def _takes_fast_path(self, x: torch.Tensor) -> bool:
        """Whether :meth:`forward` runs the fast path for input ``x``: ``fused``, and none of
        what the fast path cannot compute exactly (the cheapest checks first).

        A module the fast path would read other than as it assumes (a replaced or wrapped
        layer, another activation: :func:`~eegpt.fast_path.unsupported_reason`, logged once)
        and a model cast whole to half precision (the fast path keeps LayerNorm in float32;
        not the engine's reduced precision, which casts the linears of a copy) run the
        reference path, and so do ``torch.jit.trace`` and ``torch.export`` (graphs of the
        published operations), ``torch.func`` transforms (the fast path's caches and ``out=``
        writes need plain tensors) and hooks on the encoder or a submodule (the fast path
        calls only its LayerNorms as modules)."""
        if not self.fused or fast_path.unsupported_reason(self, say=True) is not None:
            return False
        norm = self.norm.weight if self.norm.weight is not None else self.patch_embed.proj.weight
        return norm.dtype == torch.float32 and not (
            _tracing() or _functorch_transforming(x, self) or has_hooks(self, warn_global=True)
        )

    def _forward_reference(
        self,
        x: torch.Tensor,
        chan_ids: torch.Tensor,
        keep: Callable[[torch.Tensor], object] | None = None,
    ) -> torch.Tensor:
        """The reference path, ``[B, C, T]`` -> ``[B, N, S, D]``. ``keep``, if given, gets the
        residual stream ``[B * N, C + S, D]`` before the first block and after each block."""
        b = x.shape[0]
        s, d = self.config.embed_num, self.config.embed_dim
        t = self.patch_embed(x) + self.chan_embed(chan_ids)  # [B, N, C, D]
        n, c = t.shape[1], t.shape[2]
        t = t.reshape(b * n, c, d)  # explicit sizes: B may be 0
        t = torch.cat([t, self.summary_token.expand(b * n, -1, -1)], dim=1)
        if keep is not None:
            keep(t)
        for blk in self.blocks:
            t = blk(t)
            if keep is not None:
                keep(t)
        return self.norm(t[:, -s:]).reshape(b, n, s, d)

    def forward_intermediates(
        self, x: torch.Tensor, chan_ids: torch.Tensor, *, attention: bool = False
    ) -> Intermediates:
        """The encoder's intermediate representations of ``x`` ``[B, C, T]`` with channel
        vocabulary indices ``chan_ids`` ``[C]``, for interpretability (what timm's
        ``forward_intermediates`` and DINO's ``get_last_selfattention`` give).

        Always runs the reference path (so hooks run as in :meth:`forward`), with autograd if
        it is enabled. Per time patch the sequence is the C channel tokens followed by the S
        summary tokens. Returns an :class:`Intermediates`:

        * ``embedded`` ``[B, N, C + S, D]``: the first block's input (channel rows: patch
          embedding + channel embedding; summary rows: the learned summary tokens);
        * ``blocks``: one ``[B, N, C + S, D]`` per block, its output residual stream (before
          the final LayerNorm);
        * ``output`` ``[B, N, S, D]``: the normalised summary tokens, what :meth:`forward`
          returns (on either path, to float32 rounding);
        * ``attention`` (with ``attention=True``, else ``None``): one ``[B, N, H, C + S, C + S]``
          per block, ``softmax(q kᵀ · head_dim^-0.5)`` (rows: queries, summing to 1 over the
          keys), the weights the block applies to its values (:meth:`Block.attention_weights`).

        The tokens have no physical unit (activations); the input is in model units (mV).
        """
        self._check(x, chan_ids)
        chan_ids = chan_ids.to(device=x.device, dtype=torch.long)
        stream: list[torch.Tensor] = []
        try:
            output = self._forward_reference(x, chan_ids, keep=stream.append)
        except IndexError:
            self._refuse_outside_vocabulary(chan_ids)
            raise
        b, n = output.shape[:2]
        weights = None
        if attention:
            pairs = zip(self.blocks, stream[:-1], strict=True)
            weights = tuple(blk.attention_weights(t).unflatten(0, (b, n)) for blk, t in pairs)
        stream = [t.unflatten(0, (b, n)) for t in stream]
        return Intermediates(stream[0], tuple(stream[1:]), output, weights)

    def token_bias(self, chan_ids: torch.Tensor) -> torch.Tensor:
        """Conv bias + channel embedding folded into one additive term ``[C, D]``."""
        bias = self.patch_embed.proj.bias
        emb = self.chan_embed(chan_ids)
        return emb if bias is None else emb + bias

    def _forward_fused(self, x: torch.Tensor, chan_ids: torch.Tensor) -> torch.Tensor:
        return self.forward_planned(x, self.fast_plan(chan_ids))

    # ------------------------------------------------------------------------------------------
    # Fast path (eegpt.fast_path): weights derived once (FastPlan), then a pure tensor function
    # (forward_planned) that eager execution, torch.compile and CUDA-graph capture all share.
    # ------------------------------------------------------------------------------------------

    def _apply(self, fn, recurse: bool = True):  # noqa: D401 - nn.Module hook
        # Moving or casting the module invalidates every derived tensor; a ``.to()`` that
        # changes nothing (the model already there, as each new engine asks) keeps them.
        before = [(t.data_ptr(), t.dtype, t.device) for t in self._tensors()]
        out = super()._apply(fn, recurse)
        if [(t.data_ptr(), t.dtype, t.device) for t in self._tensors()] != before:
            FAST_CACHES.pop(self, None)
        return out

    def _tensors(self) -> list[torch.Tensor]:
        return [*self.parameters(), *self.buffers()]

    def train(self, mode: bool = True) -> EEGPTEncoder:
        """Set training mode; going from training to eval mode drops the fast path's derived
        weights (the parameters may have changed in any way while training, e.g. through
        ``p.data``) and counts the spell (:func:`eegpt._weights_watch.training_spells`), so
        fingerprints noted before it are not taken for the weights after it."""
        if self.training and not mode:
            self.clear_fast_cache()
            self._training_spells = training_spells(self) + 1
        return super().train(mode)

    def clear_fast_cache(self) -> None:
        """Drop the fast path's cached derived weights (see :meth:`fast_plan`); they are derived
        again on the next call. Needed only after editing the parameters of an encoder in eval
        mode through ``p.data`` or NumPy (``p.detach().numpy()``), which the cache cannot
        see."""
        FAST_CACHES.pop(self, None)
        self.__dict__.pop("_weights_seen", None)  # its fingerprint, noted: hashed again

    def fast_plan_options(self, short_attention: bool = False) -> tuple[bool, bool]:
        """Which algebraic shortcuts apply: ``(low_rank_first_block, absorbed_last_block)``.

        ``low_rank_first_block`` needs a first block that is not also the last one and patches
        shorter than half the width; ``absorbed_last_block`` is chosen by :attr:`last_block`
        (``"auto"``: on CPU, where it saves the most time, and where eegpt's Triton kernels
        run attention (``short_attention``: the absorbed form then runs as one kernel,
        :func:`eegpt.short_attention.summary_attention`); elsewhere library attention on
        projected keys/values is as fast).
        """
        return fast_path.plan_options(self, short_attention)

    def fast_plan(
        self,
        chan_ids: torch.Tensor | list[int] | tuple[int, ...],
        *,
        pack: bool | None = None,
        gelu_epilogue: bool = False,
        short_attention: bool = False,
        patch_tf32: bool = False,
        stream_dtype: torch.dtype = torch.float32,
    ) -> FastPlan:
        """Derived weights of the fast path for the channel set ``chan_ids`` ``[C]``.

        Caching: in inference (autograd off, ``torch.no_grad``/``torch.inference_mode``) of an
        encoder in eval mode, the weight-derived tensors are cached and the channel terms are
        cached per channel set. The cache is dropped when a parameter is replaced, moved, cast
        or modified in place by an autograd-visible operation (``copy_``, ``load_state_dict``),
        when a ``torch.optim`` optimizer holding one of its parameters steps (fused ones
        included; other optimizers, e.g. of a head trained on its embeddings, leave it: eegpt
        watches optimizer steps through a global ``torch.optim`` hook, registered when the first
        cache is filled, the first model is built or loaded weights are first noted, never on
        import), and when the encoder goes from training to eval mode (``model.eval()``). With
        autograd enabled, in training mode or while compiling, nothing is cached: everything is
        recomputed per call, so gradients flow to the parameters and a model being trained (an
        EMA teacher updated through ``p.data``) is always current. The cache is also dropped
        when a module setting the derived weights use is edited (a LayerNorm's ``eps``, an
        attention's ``num_heads``/``head_dim``). Parameters that are inference tensors (made
        under ``torch.inference_mode``) have no change counter, so nothing of theirs is cached
        across calls (derived again per call: new weights loaded under inference mode are
        used). Not seen: writes through ``p.data`` or through NumPy
        (``p.detach().numpy()[:] = ...``) to an encoder kept in eval mode; call
        :meth:`clear_fast_cache` after such an edit.

        ``pack``: also keep the linear layers' weights pre-packed for oneDNN (CPU inference:
        no repacking per call, GELU fused into ``fc1``). ``None`` packs where it applies (CPU,
        float32/bfloat16 weights, no autograd); never while ``torch.compile`` traces (Inductor
        cannot lower the packed calls).

        ``gelu_epilogue``: run ``fc1`` + GELU as one cuBLASLt call with the tanh-approximate
        GELU (CUDA, float16/bfloat16 weights only; see :mod:`eegpt.fast_path`).

        ``short_attention``: attention through the Triton short-sequence kernel
        (:mod:`eegpt.short_attention`; CUDA, float16/bfloat16 weights, Triton installed).

        ``patch_tf32``: the patch projection (float32, the last float32 matmul of a model whose
        blocks run in float16/bfloat16) on TF32 tensor cores (CUDA only).

        ``stream_dtype``: store the residual stream between blocks in this dtype (float16:
        half the stream's memory traffic; every sum and LayerNorm is still computed in float32,
        only the stored values are rounded, to 11 significant bits). float32 by default.
        """
        return fast_path.build_plan(
            self,
            chan_ids,
            pack=pack,
            gelu_epilogue=gelu_epilogue,
            short_attention=short_attention,
            patch_tf32=patch_tf32,
            stream_dtype=stream_dtype,
        )

    def weights_token(self) -> object:
        """An object that stays the same (compare with ``is``) while the weights are unchanged
        as far as the fast path's cache can tell, and is a new one after any change it sees.

        It lives in that cache (:meth:`fast_plan`), so it is renewed exactly when the cache is
        dropped: a parameter replaced, moved, cast or modified in place (``copy_``,
        ``load_state_dict``), a ``torch.optim`` optimizer holding a parameter stepped (fused ones
        included), training -> eval mode, and :meth:`clear_fast_cache` (needed after ``p.data``
        edits), and a setting the fast path uses (``eps``, ``num_heads`` ...) edited. In
        training mode, and where a parameter is an inference tensor (whose changes nothing
        sees), nothing is cached and every call returns a new one. Used by
        :class:`eegpt.engine.InferenceEngine` to know when its reduced-precision copy of the
        encoder is stale.
        """
        if self.training:
            return object()
        cache = fast_cache(self)
        if not validate_cache(self, cache):
            return object()
        return cache.setdefault("token", object())

    def forward_planned(self, x: torch.Tensor, plan: FastPlan) -> torch.Tensor:
        """The fast path: ``x`` ``[B, C, T]`` -> normalised summary tokens ``[B, N, S, D]``.

        A pure tensor function of ``x``, the module's parameters and ``plan`` (from
        :meth:`fast_plan`), with no host synchronisation, so it can be compiled and captured in
        a CUDA graph.
        """
        return fast_path.forward_planned(self, x, plan)


def _note_state_loaded(
    module: nn.Module, state_dict: Any, prefix: str, local_metadata: Any = None
) -> None:
    """Remember that ``load_state_dict`` loaded tensors into ``module`` (``nn.Module`` calls
    its ``_load_from_state_dict`` for each module of the tree, ``prefix`` naming it, whether
    or not ``state_dict`` holds keys of it): only where ``state_dict`` holds a key of one of
    its parameters or buffers, so that a load of nothing (``strict=False`` with keys of
    another prefix, ``module.``) leaves a random model random. The parameters' change
    counters show a load too, except for inference tensors (parameters made under
    ``torch.inference_mode``), which have none: a load under inference mode into those
    left :attr:`EEGPT.has_random_weights` True. Whether the state dict was a not-pretrained
    model's (``local_metadata``, the module's entry of its ``_metadata``, holds
    :data:`NOT_PRETRAINED_MARK`) is noted too, replacing what an earlier load noted."""
    tensors = itertools.chain(module.named_parameters(), module.named_buffers())
    if any(prefix + name in state_dict for name, _ in tensors):
        module.__dict__["_state_loaded"] = True
        marked = isinstance(local_metadata, dict) and local_metadata.get(NOT_PRETRAINED_MARK)
        module.__dict__["_loaded_not_pretrained"] = bool(marked)


def _loaded_not_pretrained(module: nn.Module | None) -> bool:
    """Whether ``module``'s latest load (:func:`_note_state_loaded`) was of a state dict
    marked not pretrained (:data:`NOT_PRETRAINED_MARK`)."""
    return module is not None and bool(module.__dict__.get("_loaded_not_pretrained", False))


def _state_was_loaded(module: nn.Module | None) -> bool:
    """Whether ``load_state_dict`` ever reached ``module`` (:func:`_note_state_loaded`); False
    for None (a model whose encoder is set aside while it is pickled: eegpt.sklearn stores a
    shared encoder once)."""
    return module is not None and module.__dict__.get("_state_loaded", False)


class Intermediates(NamedTuple):
    """What :meth:`EEGPTEncoder.forward_intermediates` returns (B windows, N time patches, C
    channels, S summary tokens, D width, H heads); values are activations (no unit)."""

    embedded: torch.Tensor  # [B, N, C + S, D]: the first block's input
    blocks: tuple[torch.Tensor, ...]  # per block [B, N, C + S, D]: its output residual stream
    output: torch.Tensor  # [B, N, S, D]: normalised summary tokens, as forward returns them
    attention: tuple[torch.Tensor, ...] | None  # per block [B, N, H, C + S, C + S]


def _tracing() -> bool:
    """``torch.jit.trace`` or ``torch.export`` is recording the model (not ``torch.compile``)."""
    exporting = getattr(torch.compiler, "is_exporting", None)
    return torch.jit.is_tracing() or bool(exporting is not None and exporting())


def _refuse_fx_proxy(x: Any) -> None:
    """A clear error under ``torch.fx.symbolic_trace``, which the encoder cannot be traced by."""
    if isinstance(x, torch.fx.Proxy):
        raise TypeError(
            "torch.fx.symbolic_trace cannot trace the EEGPT encoder: its forward pass checks "
            "the input's shape and zero-pads the time axis to whole patches, which needs the "
            "real number of samples. Record a graph with example input instead: "
            "torch.export.export(model, (x, chan_ids)) or torch.jit.trace(model, (x, chan_ids)) "
            "(both record the reference path); single blocks (model.target_encoder.blocks[i]) "
            "do trace symbolically"
        )


def _functorch_transforming(x: torch.Tensor, module: nn.Module) -> bool:
    """A ``torch.func`` transform is running (``vmap``, ``grad``, ``jacrev``, ...), or ``x`` or
    one of ``module``'s parameters is one of its wrapped tensors (batched over an ensemble's
    stacked parameters, ...): such tensors have no storage to key a cache on and no batching
    rule for the fast path's ``out=`` writes, so the reference path runs instead."""
    active = getattr(torch._C, "_are_functorch_transforms_active", None)
    if active is not None:  # wrapped tensors exist only while a transform runs
        return bool(active())
    wrapped = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    if wrapped is None:
        return False
    return wrapped(x) or any(wrapped(p) for p in module.parameters())


def check_chan_ids(ids: torch.Tensor, n_channels: int, n_vocab: int, values: bool = True) -> None:
    """Refuse channel ids ``ids`` that are not one vocabulary row (whole numbers in
    ``0..n_vocab - 1``) per channel of an input of ``n_channels`` channels; ``values=False``
    checks the shape and dtype alone (no device sync, nothing read while tracing).

    Raises
    ------
    ValueError
        Empty ids, another length than ``n_channels``, fractional or out-of-range values.
    """
    if ids.numel() == 0:
        raise ValueError(
            "no channel vocabulary indices: pass chan_ids (see eegpt.channels.map_channels)"
        )
    if ids.ndim != 1 or ids.shape[0] != n_channels:  # shape[0]: a dynamic dim in torch.export
        raise ValueError(
            f"chan_ids must hold one vocabulary index per channel of x: {n_channels} "
            f"channels, chan_ids of shape {tuple(ids.shape)}"
        )
    wrong_type = ids.dtype.is_floating_point or ids.dtype == torch.bool
    outside = values and not wrong_type and (int(ids.min()) < 0 or int(ids.max()) >= n_vocab)
    if wrong_type or outside:
        raise ValueError(
            f"chan_ids must be integers (an integer dtype, not {str(ids.dtype).removeprefix('torch.')}) "
            f"in 0..{n_vocab - 1}: rows of the channel vocabulary "
            f"(eegpt.channels.CHANNEL_INDEX), got {ids.tolist()[:8]}"
            if wrong_type
            else f"chan_ids must be integers in 0..{n_vocab - 1} (rows of the channel "
            f"vocabulary, eegpt.channels.CHANNEL_INDEX), got {ids.tolist()[:8]}"
        )


class EEGPT(_RandomWeightsMark, nn.Module):
    """Encoder with the optional channel projection and linear-probe head.

    Parameters
    ----------
    config : EEGPTConfig | str
        Encoder architecture or preset name.
    chan_ids : sequence of int | None
        Vocabulary indices of the encoder's input channels, used when ``forward`` gets none.
    n_outputs : int | None
        Build the linear probe with this many outputs (needs ``n_times``).
    n_times : int | None
        Window length in samples the probe was built for.
    probe_hidden : int
        Features per patch of the probe's first layer (``probe1``: ``S*D -> probe_hidden``;
        ``probe2`` takes the ``N*probe_hidden`` concatenation): 16 in the original EEGPT probes
        and braindecode's (``probe_hidden_dim``); other widths from fine-tunes that changed it.
    chan_proj : tuple[int, int] | None
        ``(in_channels, out_channels)`` of a 1x1 channel projection applied before the encoder.
    chan_proj_max_norm : float
        Largest L2 norm of each output channel's projection filter (a max-norm constraint:
        renormalised in place at each forward pass in training, applied to a copy in eval
        mode), 1.0 by default as in the paper's recipe; ``inf`` leaves
        the filters unconstrained (braindecode's ``"linear"`` projection). Only used with
        ``chan_proj``.
    fused : bool
        Encoder fast path (see :class:`EEGPTEncoder`).

    The fast path caches weights derived from the encoder's in eval-mode inference; the cache
    follows ``load_state_dict``, ``copy_``, optimizer steps (fused ones too), edits of
    ``eps``/``num_heads`` and ``model.eval()`` after training, but not writes through
    ``p.data`` or NumPy (``p.detach().numpy()[:] = ...``) to a model kept in eval mode: call
    :meth:`clear_fast_cache` after those (:meth:`EEGPTEncoder.fast_plan`). A model whose
    parameters were made under ``torch.inference_mode`` (inference tensors, which no change
    counter follows) keeps nothing across calls: ``load_state_dict`` under inference mode is
    seen, at the cost of deriving the weights per call.

    State dict: the encoder's keys (``target_encoder.*``) are braindecode's ``EEGPT`` keys,
    tensor for tensor. The max-norm layers differ: braindecode (1.8) stores their weight
    through a parametrization, ``chan_proj.proj.parametrizations.weight.original`` and
    ``final_layer.probe{1,2}.parametrizations.weight.original``, where this model has
    ``chan_proj.proj.weight`` and ``final_layer.probe{1,2}.weight`` (biases are named alike),
    and braindecode also saves its ``chans_id`` buffer (``chan_ids`` here, not saved). So
    ``braindecode_model.load_state_dict(model.state_dict())`` fails in strict mode; instead
    :func:`eegpt.save_checkpoint` writes a folder that
    ``braindecode.models.EEGPT.from_pretrained(folder)`` loads, and :func:`eegpt.load_model`
    reads braindecode's folders (``save_pretrained``) and files.
    """

    chan_ids: torch.Tensor  # a buffer: the default channels' vocabulary indices [C] (int64)

    def __init__(
        self,
        config: EEGPTConfig | str = "large",
        *,
        chan_ids: list[int] | tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        n_times: int | None = None,
        chan_proj: tuple[int, int] | None = None,
        chan_proj_max_norm: float = 1.0,
        fused: bool = True,
        probe_hidden: int = 16,
    ) -> None:
        """Build the model with random weights (see the class docstring for the arguments;
        :func:`eegpt.load_model` loads trained ones)."""
        super().__init__()
        self.target_encoder = EEGPTEncoder(config, fused=fused)
        self.config = self.target_encoder.config
        self.chan_proj = (
            ChannelProjection(*chan_proj, max_norm=chan_proj_max_norm) if chan_proj else None
        )
        self.n_times = n_times
        if n_outputs is not None:
            if n_times is None:
                raise ValueError("a probe head needs n_times (the window length in samples)")
            self.final_layer: LinearProbe | None = LinearProbe(
                self.config.n_patches(n_times),
                self.config.embed_num,
                self.config.embed_dim,
                n_outputs,
                hidden=probe_hidden,
            )
        else:
            self.final_layer = None
        ids = torch.as_tensor(chan_ids if chan_ids is not None else [], dtype=torch.long)
        self.register_buffer("chan_ids", ids, persistent=False)
        self._note_built()

    @property
    def has_random_weights(self) -> bool:
        """Whether the weights are still the random initialisation of ``EEGPT(...)``: no
        checkpoint loaded (:func:`eegpt.load_model`, ``load_state_dict``, also under
        ``torch.inference_mode``), no parameter
        changed since it was built (training, ``copy_``) and no optimizer holding one of them
        stepped (fused ones included). Moving, casting, copying (``copy.deepcopy``) and
        pickling the model keep this. Writes through ``p.data`` are not seen."""
        if getattr(self, "checkpoint_info", None):
            return False
        if _state_was_loaded(self) or _state_was_loaded(self.target_encoder):
            return False
        return self._unchanged_since_built()

    @property
    def not_pretrained(self) -> bool:
        """Whether the weights are known not to be EEGPT's pretrained ones: its checkpoint's
        notes say so (``notes["pretrained"] is False``: ``eegpt info`` and the repr say NOT
        PRETRAINED), they are still random (:attr:`has_random_weights`), or they were loaded
        with ``load_state_dict`` from the state dict of such a model (its ``_metadata``
        carries :data:`NOT_PRETRAINED_MARK`, the keys are the same), e.g.
        ``EEGPT(base.config, n_outputs=2, n_times=1024).load_state_dict(base.state_dict(),
        strict=False)``. :func:`eegpt.save_checkpoint` records such a model as not pretrained.
        False where unknown: weights loaded from a plain dict of tensors (``{k: v ...}``
        drops the ``_metadata``), or trained from random in a model of one's own."""
        notes = (getattr(self, "checkpoint_info", None) or {}).get("notes") or {}
        return (
            notes.get("pretrained") is False
            or super().not_pretrained
            # a bare encoder's state dict loaded (no encoder: set aside while pickled)
            or bool(getattr(self.target_encoder, "not_pretrained", False))
        )

    def _load_from_state_dict(
        self, state_dict: Any, prefix: str, local_metadata: Any, *args: Any, **kwargs: Any
    ) -> None:
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args, **kwargs)
        # every encoder weight replaced after load_model: the file's "pretrained" note no
        # longer describes them; the state dict's own mark (NOT_PRETRAINED_MARK) does
        info = getattr(self, "checkpoint_info", None)
        notes = (info or {}).get("notes") or {}
        encoder = prefix + "target_encoder"
        if info is None or not all(
            f"{encoder}.{k}" in state_dict for k in self.target_encoder.state_dict()
        ):
            return
        metadata = getattr(state_dict, "_metadata", None) or {}
        marked = any(
            isinstance(metadata.get(key), dict) and metadata[key].get(NOT_PRETRAINED_MARK)
            for key in (prefix[:-1], encoder)
        )
        kept = {k: v for k, v in notes.items() if k != "pretrained"}
        kept = {**kept, "pretrained": False} if marked else kept
        if kept != notes:
            self.__dict__["checkpoint_info"] = {**info, "notes": kept}

    def clear_fast_cache(self) -> None:
        """Drop the encoder's cached fast-path weights (:meth:`EEGPTEncoder.clear_fast_cache`):
        needed only after editing the parameters of a model in eval mode through ``p.data`` or
        NumPy (``p.detach().numpy()``).
        The weights are then compared with those loaded again (hashed once:
        :func:`eegpt.checkpoints.modified_weights`), as the embedding cache's key needs."""
        self.target_encoder.clear_fast_cache()
        loaded = getattr(self, "_loaded_weights", None)
        if loaded is not None:  # a key no model matches: still() is False, the weights hashed
            self._loaded_weights = dataclasses.replace(loaded, key=())
        self.__dict__.pop("_weights_seen", None)

    @property
    def fused(self) -> bool:
        return self.target_encoder.fused

    @fused.setter
    def fused(self, value: bool) -> None:
        self.target_encoder.fused = value

    def __repr__(self) -> str:
        """One line (the model's size, head and checkpoint), as MNE objects print themselves;
        ``print(model.target_encoder)`` shows the layers."""
        cfg = self.config
        parts = [f"embed_dim={cfg.embed_dim}", f"depth={cfg.depth}",
                 f"num_heads={cfg.num_heads}", f"embed_num={cfg.embed_num}"]  # fmt: skip
        if self.chan_proj is not None:
            out_ch, in_ch = self.chan_proj.proj.weight.shape[:2]
            parts.append(f"chan_proj=({in_ch}, {out_ch})")
        if self.final_layer is not None:
            parts.append(f"n_outputs={self.final_layer.probe2.out_features}")
        info = getattr(self, "checkpoint_info", None) or {}
        if info.get("path"):
            from eegpt.fingerprints import modified_weights  # imports this module

            name = Path(str(info["path"])).name
            if modified_weights(self) is None:
                parts.append(f"checkpoint={name!r}")
            else:  # load_state_dict, training: the weights are no longer the file's
                parts.append(f"loaded_from={name!r}, weights modified")
        if (info.get("notes") or {}).get("pretrained") is False:
            parts.append("NOT PRETRAINED")
        elif self.has_random_weights:
            parts.append("random weights")
        elif self.not_pretrained:  # loaded from a not-pretrained model's state dict
            parts.append("NOT PRETRAINED")
        return f"EEGPT({', '.join(parts)})"

    def encode(self, x: torch.Tensor, chan_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Summary tokens ``[B, N, S, D]`` of ``x`` ``[B, C, T]`` (after the channel projection).

        Parameters
        ----------
        x : Tensor [B, C, T]
            Windows in model units, as :mod:`eegpt.preprocessing` makes them: millivolts
            sampled at 256 Hz for the pretrained model (1024 samples = the 4 s of
            pretraining), in the dtype of the weights (float32). ``model.embed(...)`` does the
            conversion from volts, the resampling and the windowing for recordings.
        chan_ids : Tensor [C] of int | None
            Vocabulary row of each channel of ``x`` (of the projection's output channels with a
            channel projection): ``eegpt.channels.map_channels(names).chan_ids`` (names are
            matched case-insensitively; the vocabulary is upper case, e.g. ``"FP1"``, ``"CZ"``).
            ``None``: the ``chan_ids`` the model was built with.

        With autograd enabled the fast path derives its weights again on every call (so that
        gradients reach the parameters); for inference call it under ``torch.no_grad()`` or
        ``torch.inference_mode()`` on a model in eval mode, where they are derived once and
        cached (see :meth:`EEGPTEncoder.fast_plan`).
        """
        return self.target_encoder(*self._encoder_input(x, chan_ids))

    def forward_intermediates(
        self, x: torch.Tensor, chan_ids: torch.Tensor | None = None, *, attention: bool = False
    ) -> Intermediates:
        """The encoder's intermediate representations (input tokens, each block's residual
        stream, the output summary tokens and, with ``attention=True``, each block's attention
        weights) of ``x`` ``[B, C, T]``, after the channel projection if the model has one; see
        :meth:`EEGPTEncoder.forward_intermediates` for the shapes. ``x`` and ``chan_ids`` as
        for :meth:`encode`. ``output`` is the encoder's (the probe head's input), equal to
        ``model.encode(x, chan_ids)``. Runs the reference path; under
        ``torch.no_grad()``/``torch.inference_mode()`` unless gradients are wanted."""
        x, ids = self._encoder_input(x, chan_ids)
        return self.target_encoder.forward_intermediates(x, ids, attention=attention)

    def _encoder_input(
        self, x: torch.Tensor, chan_ids: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` checked and channel-projected, and the checked ``chan_ids`` (default: the
        model's), as the encoder takes them."""
        self._check_input(x)
        if self.chan_proj is not None:
            n_in = self.chan_proj.proj.in_channels
            if x.shape[1] != n_in:
                raise ValueError(
                    f"x has {x.shape[1]} channels, but the model's channel projection takes "
                    f"{n_in} (the input channels it was trained on, in their order), which it "
                    f"maps to the encoder's {self.chan_proj.proj.out_channels}"
                )
            x = self.chan_proj(x)
            if chan_ids is None and self.chan_ids.numel() == 0:
                raise ValueError(
                    f"the model's channel projection maps its {n_in} input channels to "
                    f"{self.chan_proj.proj.out_channels} encoder channels whose vocabulary "
                    "channels the checkpoint does not record (the training script's channel "
                    "names, which fine-tuning scripts do not save): pass them, in the training "
                    "script's order, as model(x, chan_ids=torch.tensor(eegpt.channels."
                    "map_channels(names).chan_ids)), or record them once: build_model("
                    "dataclasses.replace(eegpt.load_checkpoint(path), ch_names=names, "
                    "chan_ids=ids))"
                )
        ids = self.chan_ids if chan_ids is None else chan_ids
        ids = ids if isinstance(ids, torch.Tensor) else torch.as_tensor(ids)  # traced: an input
        # values are checked on the CPU only (no device sync) and not while tracing (export)
        values = ids.device.type == "cpu" and not (
            torch.compiler.is_compiling() or _tracing() or _functorch_transforming(ids, self)
        )
        check_chan_ids(ids, x.shape[1], self.target_encoder.chan_embed.num_embeddings, values)
        return x, ids

    def _check_input(self, x: Any) -> None:
        """A clear error for input the layers would fail on with torch's own words."""
        _refuse_fx_proxy(x)
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor [batch, channels, samples], got {type(x).__name__}; "
                "model.embed(...) takes NumPy arrays, MNE objects and files"
            )
        weight = self.target_encoder.patch_embed.proj.weight
        if x.ndim != 3:
            raise ValueError(f"x must be [batch, channels, samples], got shape {tuple(x.shape)}")
        if x.dtype != weight.dtype:
            raise TypeError(
                f"x is {x.dtype} but the model's weights are {weight.dtype}: convert it "
                f"(x.to({weight.dtype})) or the model"
            )
        if x.shape[-1] < self.config.patch_size:
            raise ValueError(
                f"x has {x.shape[-1]} samples, fewer than one patch ({self.config.patch_size})"
            )

    # model.embed(data, ...): eegpt.api.embed with this model, its keywords in the signature
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods): embed's own signature
        embed = eegpt.api._embed
    else:
        embed = function_method("eegpt.api", "embed_method")

    def forward(self, x: torch.Tensor, chan_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Probe logits ``[B, n_outputs]`` when a head exists, else summary tokens
        ``[B, N, S, D]``.

        ``x`` ``[B, C, T]`` is in model units (millivolts at 256 Hz for the pretrained model)
        and ``chan_ids`` ``[C]`` holds vocabulary rows
        (``eegpt.channels.map_channels(names).chan_ids``): see :meth:`encode`, also for why
        inference belongs under ``torch.no_grad()``/``torch.inference_mode()``. A head takes
        windows of its own patch count (``n_times``).
        """
        z = self.encode(x, chan_ids)
        if self.final_layer is None:
            return z
        self._check_head_patches(x.shape[-1], z.shape[1])
        return self.final_layer(z)

    def _check_head_patches(self, n_times: int, n_patches: int) -> None:
        """A clear error when ``x`` has another number of patches than the probe head takes."""
        assert self.final_layer is not None
        probe = self.final_layer
        expected = probe.probe2.in_features // probe.probe1.out_features
        if n_patches == expected:
            return
        cfg = self.config
        lo = cfg.patch_size if expected == 1 else (expected - 2) * cfg.stride + cfg.patch_size + 1
        hi = (expected - 1) * cfg.stride + cfg.patch_size
        built = f"n_times={self.n_times}, " if self.n_times else ""
        raise ValueError(
            f"the probe head was built for {built}{expected} patches of {cfg.patch_size} "
            f"samples (stride {cfg.stride}); x has {n_times} samples, {n_patches} patches. "
            f"Give windows of {lo} to {hi} samples (a tail shorter than a patch is zero-padded "
            f"to one, so e.g. {lo} samples also make {expected} patches)"
        )
