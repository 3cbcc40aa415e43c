"""The EEGPT encoder and its downstream heads, in plain PyTorch.

Shapes use B = batch, C = channels, T = samples, N = time patches, S = summary tokens
(``embed_num``), D = ``embed_dim``.

The encoder treats every time patch independently: the C channel tokens of one patch plus S
learned summary tokens form one sequence of length C + S, and attention mixes channels, never
time. Output: the S summary tokens of each patch, ``[B, N, S, D]``.

Parameter names follow the released checkpoint and braindecode (``patch_embed.proj``,
``chan_embed``, ``summary_token``, ``blocks.i.attn.qkv`` ...), so weights load without renaming.

Two execution paths compute the same function:

* ``fused=False`` -- the reference path: Conv2d patch embedding, concatenated summary tokens and
  full blocks, operation for operation as the published model.
* ``fused=True`` (default) -- the fast path (:meth:`EEGPTEncoder.forward_planned`): the patch
  embedding as one matmul with the conv bias and the channel embedding folded into a single
  additive term; summary tokens written next to the patch tokens without a repeat/concatenation;
  a first block whose queries/keys/values are computed from the raw P-sample patches (the patch
  tokens are affine in them, so ``Wqkv @ LayerNorm(.)`` collapses to a P-wide matmul) and whose
  summary-token queries/keys/values are constants; and a last block that computes only the S
  summary rows (on CPU with the key/value projections absorbed into the queries). The derived
  weights (:class:`FastPlan`) are computed in float64, and cached in eval-mode inference
  (:meth:`EEGPTEncoder.fast_plan` says when the cache is dropped). Matmuls
  run in the linear layers' dtype while the residual stream stays float32, which is how the
  engine's bfloat16/float16 modes work. Tested against the reference path to float32 precision
  (max relative error ~1e-6). Under ``torch.func`` transforms (``vmap`` over inputs or over an
  ensemble's stacked parameters with ``functional_call``, per-sample ``vmap(grad(...))``) the
  reference path runs instead, and so it does while a forward or backward hook is registered on
the encoder, one of its submodules or every module (:func:`has_hooks`): the fast path calls no
submodule, so their hooks would not run. :meth:`EEGPTEncoder.forward_intermediates` gives the
reference path's input tokens, each block's residual stream and attention weights.

For reduced precision on CUDA the plan may also run ``fc1`` + GELU as one cuBLASLt call
(``gelu_epilogue``): that epilogue is the tanh approximation of GELU (at most 4.7e-4 from the
exact erf GELU), far below bfloat16/float16 rounding; it is never used in float32. Attention
may run through Triton kernels made for short sequences (``short_attention``,
:mod:`eegpt.short_attention`), with FlashAttention's numerics: the first block's summary-token
q/k/v are then read from their shared constant instead of a concatenated copy, and the last
block (absorbed form, the default with the kernels) runs its attention as one kernel. The
float32 patch projection may run on TF32 tensor cores (``patch_tf32``, ~5e-4 relative), and the
residual stream may be stored in float16/bfloat16 between blocks (``stream_dtype``; sums and
LayerNorms stay float32).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from eegpt import short_attention as short_attn
from eegpt._methods import function_method
from eegpt._weights_watch import (
    _FAST_CACHES,
    _STEPPED_OPTIMIZERS,
    _param_key,
    _parameter_ids,
    _watch_optimizer_steps,
)
from eegpt.config import EEGPTConfig, get_config
from eegpt.heads import ChannelProjection, LinearProbe
from eegpt.heads import Conv1dWithConstraint as Conv1dWithConstraint  # re-exported
from eegpt.heads import LinearWithConstraint as LinearWithConstraint  # re-exported
from eegpt.heads import renorm_constrained_ as renorm_constrained_  # re-exported

if TYPE_CHECKING:
    import eegpt.api


def _fast_cache(encoder: nn.Module) -> dict:
    """``encoder``'s fast-path cache, made empty if it has none; optimizer steps are watched
    from then on, so that a step taken later drops it (:func:`_watch_optimizer_steps`)."""
    _watch_optimizer_steps()
    return _FAST_CACHES.setdefault(encoder, {})


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


class PatchEmbed(nn.Module):
    """Per-channel patch projection, ``[B, C, T] -> [B, N, C, D]`` (Conv2d with a 1 x P kernel)."""

    def __init__(self, config: EEGPTConfig) -> None:
        super().__init__()
        self.config = config
        self.proj = nn.Conv2d(
            1, config.embed_dim, kernel_size=(1, config.patch_size), stride=(1, config.stride)
        )

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """Zero-pad the time axis so that the last patch is complete."""
        extra = self.config.padded_length(x.shape[-1]) - x.shape[-1]
        return F.pad(x, (0, extra)) if extra else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.pad(x).unsqueeze(1)).permute(0, 3, 2, 1)

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """Raw patches ``[B, N, C, P]`` (a view when stride == patch size and no padding)."""
        cfg = self.config
        x = self.pad(x)
        return x.unfold(-1, cfg.patch_size, cfg.stride).transpose(1, 2)


class EEGPTEncoder(nn.Module):
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
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.embed_dim, eps=config.layer_norm_eps)
        self.reset_parameters()

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

    def forward(self, x: torch.Tensor, chan_ids: torch.Tensor) -> torch.Tensor:
        """Encode ``x`` ``[B, C, T]`` with channel vocabulary indices ``chan_ids`` ``[C]``.

        Returns the normalised summary tokens ``[B, N, S, D]``. Units, channel indices and the
        cost of calling it with autograd enabled: see :meth:`EEGPT.encode`.
        """
        _refuse_fx_proxy(x)
        self._check(x, chan_ids)
        chan_ids = chan_ids.to(device=x.device, dtype=torch.long)
        # the fast path keeps LayerNorm in float32; a model cast whole to half precision (not
        # the engine's reduced precision, which casts the linears of a copy) runs the plain one,
        # and so do torch.jit.trace and torch.export (graphs of the published operations) and
        # torch.func transforms (the fast path's caches and out= writes need plain tensors); so
        # does an encoder with hooks on it or a submodule, as the fast path calls no submodule
        plain = not (_tracing() or _functorch_transforming(x, self) or has_hooks(self))
        if self.fused and self.norm.weight.dtype == torch.float32 and plain:
            return self._forward_fused(x, chan_ids)
        return self._forward_reference(x, chan_ids)

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
        output = self._forward_reference(x, chan_ids, keep=stream.append)
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
    # Fast path: weights derived once (FastPlan), then a pure tensor function (forward_planned)
    # that eager execution, torch.compile and CUDA-graph capture all share.
    # ------------------------------------------------------------------------------------------

    def _apply(self, fn, recurse: bool = True):  # noqa: D401 - nn.Module hook
        # Moving or casting the module invalidates every derived tensor; a ``.to()`` that
        # changes nothing (the model already there, as each new engine asks) keeps them.
        before = [(t.data_ptr(), t.dtype, t.device) for t in self._tensors()]
        out = super()._apply(fn, recurse)
        if [(t.data_ptr(), t.dtype, t.device) for t in self._tensors()] != before:
            _FAST_CACHES.pop(self, None)
        return out

    def _tensors(self) -> list[torch.Tensor]:
        return [*self.parameters(), *self.buffers()]

    def train(self, mode: bool = True) -> EEGPTEncoder:
        """Set training mode; going from training to eval mode drops the fast path's derived
        weights (the parameters may have changed in any way while training)."""
        if self.training and not mode:
            self.clear_fast_cache()
        return super().train(mode)

    def clear_fast_cache(self) -> None:
        """Drop the fast path's cached derived weights (see :meth:`fast_plan`); they are derived
        again on the next call. Needed only after editing the parameters of an encoder in eval
        mode through ``p.data`` (or of inference tensors), which the cache cannot see."""
        _FAST_CACHES.pop(self, None)

    def fast_plan_options(self, short_attention: bool = False) -> tuple[bool, bool]:
        """Which algebraic shortcuts apply: ``(low_rank_first_block, absorbed_last_block)``.

        ``low_rank_first_block`` needs a first block that is not also the last one and patches
        shorter than half the width; ``absorbed_last_block`` is chosen by :attr:`last_block`
        (``"auto"``: on CPU, where it saves the most time, and where eegpt's Triton kernels
        run attention (``short_attention``: the absorbed form then runs as one kernel,
        :func:`eegpt.short_attention.summary_attention`); elsewhere library attention on
        projected keys/values is as fast).
        """
        cfg = self.config
        low_rank = cfg.depth >= 2 and 2 * cfg.patch_size <= cfg.embed_dim
        mode = self.last_block
        if mode not in ("auto", "absorbed", "rows"):
            raise ValueError(f"last_block must be 'auto', 'absorbed' or 'rows', got {mode!r}")
        if cfg.depth == 0:
            absorbed = False
        elif mode == "auto":
            absorbed = short_attention or self.patch_embed.proj.weight.device.type == "cpu"
        else:
            absorbed = mode == "absorbed"
        return low_rank, absorbed

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
        cache is filled or the first model is built, never on import), and when the encoder goes from training to eval mode (``model.eval()``). With autograd
        enabled, in training mode or while compiling, nothing is cached: everything is
        recomputed per call, so gradients flow to the parameters and a model being trained (an
        EMA teacher updated through ``p.data``) is always current. Not seen: writes through ``p.data`` (or on
        inference tensors) to an encoder kept in eval mode; call :meth:`clear_fast_cache`
        after such an edit.

        ``pack``: also keep the linear layers' weights pre-packed for oneDNN (CPU inference:
        no repacking per call, GELU fused into ``fc1``). ``None`` packs where it applies (CPU,
        float32/bfloat16 weights, no autograd); never while ``torch.compile`` traces (Inductor
        cannot lower the packed calls).

        ``gelu_epilogue``: run ``fc1`` + GELU as one cuBLASLt call with the tanh-approximate
        GELU (CUDA, float16/bfloat16 weights only; see the module notes).

        ``short_attention``: attention through the Triton short-sequence kernel
        (:mod:`eegpt.short_attention`; CUDA, float16/bfloat16 weights, Triton installed).

        ``patch_tf32``: the patch projection (float32, the last float32 matmul of a model whose
        blocks run in float16/bfloat16) on TF32 tensor cores (CUDA only).

        ``stream_dtype``: store the residual stream between blocks in this dtype (float16:
        half the stream's memory traffic; every sum and LayerNorm is still computed in float32,
        only the stored values are rounded, to 11 significant bits). float32 by default.
        """
        if gelu_epilogue and not _can_fuse_gelu(self):
            raise ValueError(
                "gelu_epilogue needs CUDA and float16/bfloat16 linear weights (it approximates "
                "GELU, so the float32 path never uses it)"
            )
        if patch_tf32 and self.patch_embed.proj.weight.device.type != "cuda":
            raise ValueError("patch_tf32 needs a CUDA device")
        if short_attention and not _can_short_attend(self):
            raise ValueError(
                "short_attention needs Triton, a CUDA device and float16/bfloat16 linear weights"
            )
        # Compiling (FakeTensors: no data pointers), only the plain derived tensors are built.
        compiling = torch.compiler.is_compiling()
        caching = not (torch.is_grad_enabled() or self.training or compiling)
        cache = _fast_cache(self) if caching else {}
        options = self.fast_plan_options(short_attention)
        pack = not compiling and _can_pack(self) and (pack is None or pack)
        if stream_dtype not in (torch.float32, torch.float16, torch.bfloat16):
            raise ValueError(
                f"stream_dtype must be float32, float16 or bfloat16, got {stream_dtype}"
            )
        narrow = None if stream_dtype == torch.float32 else stream_dtype
        # One entry per option set (an engine's float16-stream plan and its float32 fallback
        # live side by side), all dropped when any parameter changes.
        opts = (options, pack, gelu_epilogue, short_attention, patch_tf32, narrow)
        if caching:
            _validate_cache(self, cache)
        terms = cache.get(("weights", opts)) if caching else None
        if terms is None:
            terms = _derive_weight_terms(self, *options)
            if pack:
                terms = terms._replace(packed=_pack_linears(self, *options))
            flags = {
                GELU_EPILOGUE: gelu_epilogue,
                SHORT_ATTENTION: short_attention,
                PATCH_TF32: patch_tf32,
                STREAM_DTYPE: narrow,
            }
            if any(flags.values()):
                terms = terms._replace(packed={**(terms.packed or {}), **flags})
            if caching:
                cache[("weights", opts)] = terms
        ids = torch.as_tensor(chan_ids, dtype=torch.long)
        id_key = tuple(ids.tolist()) if caching else None
        channel = cache.get(("channels", opts, id_key)) if caching else None
        if channel is None:
            channel = _derive_channel_terms(self, ids.to(self.chan_embed.weight.device), terms)
            if caching:
                _remember_channels(cache, ("channels", opts, id_key), channel)
        return terms._replace(channel=channel)

    def weights_token(self) -> object:
        """An object that stays the same (compare with ``is``) while the weights are unchanged
        as far as the fast path's cache can tell, and is a new one after any change it sees.

        It lives in that cache (:meth:`fast_plan`), so it is renewed exactly when the cache is
        dropped: a parameter replaced, moved, cast or modified in place (``copy_``,
        ``load_state_dict``), a ``torch.optim`` optimizer holding a parameter stepped (fused ones
        included), training -> eval mode, and :meth:`clear_fast_cache` (needed after ``p.data``
        edits). In training mode, where nothing is cached, every call returns a new one. Used
        by :class:`eegpt.engine.InferenceEngine` to know when its reduced-precision copy of
        the encoder is stale.
        """
        if self.training:
            return object()
        cache = _fast_cache(self)
        _validate_cache(self, cache)
        return cache.setdefault("token", object())

    def forward_planned(self, x: torch.Tensor, plan: FastPlan) -> torch.Tensor:
        """The fast path: ``x`` ``[B, C, T]`` -> normalised summary tokens ``[B, N, S, D]``.

        A pure tensor function of ``x``, the module's parameters and ``plan`` (from
        :meth:`fast_plan`), with no host synchronisation, so it can be compiled and captured in
        a CUDA graph.
        """
        cfg = self.config
        b, c = x.shape[:2]
        s, d, p = cfg.embed_num, cfg.embed_dim, cfg.patch_size
        patches = self.patch_embed.patches(x)  # [B, N, C, P]
        n = patches.shape[1]
        patches = patches.reshape(b * n, c, p)
        # One matmul for all patches, with conv bias and channel embedding added on the way out,
        # written next to the summary tokens without a concatenation.
        summary = self.summary_token.expand(b * n, s, d)
        tf32 = plan.packed is not None and plan.packed.get(PATCH_TF32)
        projected = (matmul_tf32 if tf32 else torch.matmul)(patches, plan.patch_weight_t)
        tokens = _rows_then(torch.add, (plan.channel.token_bias, projected), summary)
        if not self.blocks:
            return self.norm(tokens[:, c:]).reshape(b, n, s, d)
        first = 0
        if plan.first_qkv_t is not None:
            tokens = _first_block_low_rank(self.blocks[0], tokens, patches, plan)
            first = 1
        tokens = _middle_blocks(self.blocks[first:-1], tokens, plan.packed)
        if plan.last_k is not None:
            out = _last_block_absorbed(self.blocks[-1], tokens, s, plan)
        else:
            out = _block_rows(self.blocks[-1], tokens, s, plan.packed)
        return self.norm(out).reshape(b, n, s, d)


class Intermediates(NamedTuple):
    """What :meth:`EEGPTEncoder.forward_intermediates` returns (B windows, N time patches, C
    channels, S summary tokens, D width, H heads); values are activations (no unit)."""

    embedded: torch.Tensor  # [B, N, C + S, D]: the first block's input
    blocks: tuple[torch.Tensor, ...]  # per block [B, N, C + S, D]: its output residual stream
    output: torch.Tensor  # [B, N, S, D]: normalised summary tokens, as forward returns them
    attention: tuple[torch.Tensor, ...] | None  # per block [B, N, H, C + S, C + S]


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


# Hook dicts of torch.nn.Module that the fast path would bypass: per module, and global ones
# (``torch.nn.modules.module.register_module_forward_hook``, ...).
_HOOK_ATTRS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
_GLOBAL_HOOKS = tuple(getattr(torch.nn.modules.module, "_global" + name) for name in _HOOK_ATTRS)
# Per module: (tree version, the hook dicts of the module and all its submodules). The version
# counts submodule assignments anywhere (a global registration hook, installed on first use),
# so the list is rebuilt when a submodule is replaced (``model.blocks[3].attn = ...``).
_HOOK_DICTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_tree_version = 0
_watching_tree = False


def _module_registered(module: nn.Module, name: str, submodule: nn.Module | None) -> None:
    global _tree_version
    _tree_version += 1


def has_hooks(module: nn.Module) -> bool:
    """Whether a forward, forward-pre or backward hook is registered on ``module``, on one of
    its submodules or globally (on every module).

    The fast path of :class:`EEGPTEncoder` reads the submodules' weights without calling them,
    so their hooks would silently not run; the encoder takes the reference path instead while
    any exists. Cheap (~1 us: the truthiness of a held list of the hook dicts)."""
    global _watching_tree
    entry = _HOOK_DICTS.get(module)
    if entry is None or entry[0] != _tree_version:
        if not _watching_tree:
            torch.nn.modules.module.register_module_module_registration_hook(_module_registered)
            _watching_tree = True
        dicts = [getattr(m, name) for m in module.modules() for name in _HOOK_ATTRS]
        entry = _HOOK_DICTS[module] = (_tree_version, [*_GLOBAL_HOOKS, *dicts])
    return any(entry[1])


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


#: Channel sets whose fast-path terms an encoder's cache keeps (the least recently derived ones
#: are dropped past it): a service embedding windows of ever new montages would otherwise grow
#: by about 0.5 MiB per channel set of the large model.
MAX_CACHED_CHANNEL_SETS = 64


def _remember_channels(cache: dict, key: tuple, channel: Any) -> None:
    """Cache one channel set's terms, dropping the oldest channel sets past
    :data:`MAX_CACHED_CHANNEL_SETS` (weights and other entries stay)."""
    cache[key] = channel
    held = [k for k in cache if isinstance(k, tuple) and k[0] == "channels"]
    for old in held[: max(0, len(held) - MAX_CACHED_CHANNEL_SETS)]:
        del cache[old]


def _validate_cache(encoder: EEGPTEncoder, cache: dict) -> None:
    """Empty ``encoder``'s fast-path ``cache`` when a parameter changed since it was filled
    (:func:`_param_key`); optimizer steps, mode switches and moves drop it elsewhere."""
    params = _param_key(encoder)
    if cache.get("params") != params:
        cache.clear()
        # Holding the parameters' storage keeps their addresses (part of the key) unique.
        cache["params"], cache["held"] = params, [p.detach() for p in encoder.parameters()]


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
    rows, a, f = torch.broadcast_shapes(*(t.shape for t in tensors[:-1]))
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


def native_cpu_matmul(dtype: torch.dtype) -> bool:
    """This CPU has native ``dtype`` matrix instructions (float32 always; bfloat16: AVX-512
    BF16/AMX/AVX-NE-CONVERT; float16: AVX-512 FP16/AMX-FP16). Without them oneDNN emulates
    the type, much slower than float32."""
    check = {
        torch.bfloat16: getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None),
        torch.float16: getattr(torch.ops.mkldnn, "_is_mkldnn_fp16_supported", None),
    }.get(dtype)
    return dtype == torch.float32 or (check is not None and bool(check()))


def _can_fuse_gelu(enc: EEGPTEncoder) -> bool:
    """The fused fc1 + GELU epilogue applies: CUDA with float16/bfloat16 MLP weights."""
    if not len(enc.blocks):
        return False
    weight = enc.blocks[0].mlp.fc1.weight
    return weight.device.type == "cuda" and weight.dtype in (torch.float16, torch.bfloat16)


def _can_short_attend(enc: EEGPTEncoder) -> bool:
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
    w, b = layer.weight, layer.bias
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


def _middle_blocks(blocks: nn.ModuleList, t: torch.Tensor, packed: dict | None) -> torch.Tensor:
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
    weight = plan.channel.first_qkv
    var, _ = torch.var_mean(tokens[:, :c], dim=-1, keepdim=True, correction=0)
    rstd = (var + blk.norm1.eps).rsqrt_()  # [L, C, 1]
    # [patch, one_hot(channel)] * rstd: one matmul (bias = the constant term) gives the qkv
    inputs = torch.cat([patches, plan.channel.one_hot.expand(seqs, c, c)], dim=-1).mul_(rstd)
    chan_qkv = F.linear(inputs.to(weight.dtype), weight, plan.first_qkv_const)  # [L, C, 3D]
    q, k, v = chan_qkv.chunk(3, dim=-1)
    if _kernels_on(plan.packed) and short_attn.supports(q, k, heads):
        # the summary rows' q/k/v are read from the [S, 3D] constant, not concatenated
        y = short_attn.short_attention(q, k, v, heads, *plan.summary_qkv.chunk(3, dim=-1))
        a = _linear(y, blk.attn.proj, plan.packed)
    else:
        qkv = torch.cat([chan_qkv, plan.summary_qkv.expand(seqs, *plan.summary_qkv.shape)], 1)
        a = _sdpa(blk.attn, *qkv.chunk(3, dim=-1), plan.packed)
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
    h = _norm(tokens, blk.norm1, w.dtype)  # [L, n, D]
    q = _linear(h[:, -n_rows:], attn.qkv, plan.packed, part="q")  # [L, S, D]
    q = q.reshape(seqs * n_rows, heads, hd).transpose(0, 1)  # [H, L*S, hd]
    qk = torch.bmm(q, plan.last_k)  # [H, L*S, D]
    if _kernels_on(plan.packed) and h.shape[1] <= short_attn.MAX_TOKENS:
        # scores, softmax and the weighted sum of tokens in one pass over h
        z = short_attn.summary_attention(qk.view(heads, seqs, n_rows, d), h)
        z = z.view(heads, seqs * n_rows, d)
    else:
        qk = qk.reshape(heads, seqs, n_rows * d).transpose(0, 1).reshape(seqs, heads * n_rows, d)
        probs = torch.bmm(qk, h.transpose(1, 2)).softmax(dim=-1)  # [L, H*S, n]
        z = torch.bmm(probs, h)  # [L, H*S, D]
        z = z.reshape(seqs, heads, n_rows * d).transpose(0, 1).reshape(heads, seqs * n_rows, d)
    y = torch.bmm(z, plan.last_v_t)  # [H, L*S, hd]
    y = y.transpose(0, 1).reshape(seqs, n_rows, d)
    if b is not None:
        y = y + b[2 * d :]
    out = _f32(tokens[:, -n_rows:]) + _linear(y, attn.proj, plan.packed)
    return out + _mlp(blk.mlp, _norm(out, blk.norm2, blk.mlp.fc1.weight.dtype), plan.packed)


class EEGPT(nn.Module):
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
    chan_proj : tuple[int, int] | None
        ``(in_channels, out_channels)`` of a 1x1 channel projection applied before the encoder.
    fused : bool
        Encoder fast path (see :class:`EEGPTEncoder`).

    The fast path caches weights derived from the encoder's in eval-mode inference; the cache
    follows ``load_state_dict``, ``copy_``, optimizer steps (fused ones too) and
    ``model.eval()`` after training, but not writes through ``p.data`` to a model kept in eval
    mode: call :meth:`clear_fast_cache` after those (:meth:`EEGPTEncoder.fast_plan`).

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
            )
        else:
            self.final_layer = None
        ids = torch.as_tensor(chan_ids if chan_ids is not None else [], dtype=torch.long)
        self.register_buffer("chan_ids", ids, persistent=False)
        self._initial_versions = self._weight_versions()
        self._initial_optimizer_steps = _watch_optimizer_steps()

    def _weight_versions(self) -> tuple[int, ...]:
        """Each parameter's in-place change counter (``Tensor._version``)."""
        return tuple(-1 if p.is_inference() else p._version for p in self.parameters())

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
        stepped = [opt for opt, last in list(_STEPPED_OPTIMIZERS.items()) if last > since]
        if not stepped:
            return False
        mine = [id(p) for p in (module or self).parameters()]
        return any(not _parameter_ids(opt).isdisjoint(mine) for opt in stepped)

    @property
    def has_random_weights(self) -> bool:
        """Whether the weights are still the random initialisation of ``EEGPT(...)``: no
        checkpoint loaded (:func:`eegpt.load_model`, ``load_state_dict``), no parameter
        changed since it was built (training, ``copy_``) and no optimizer holding one of them
        stepped (fused ones included). Moving, casting, copying (``copy.deepcopy``) and
        pickling the model keep this. Writes through ``p.data`` are not seen."""
        if getattr(self, "checkpoint_info", None):
            return False
        if getattr(self, "_initial_versions", None) != self._weight_versions():
            return False
        return not self._stepped_by_optimizer()

    def __getstate__(self) -> dict[str, Any]:
        # a copy (copy.deepcopy, pickle: worker processes) of a random model is one too; its
        # tensors' change counters start anew, so the flag travels instead
        state = dict(self.__dict__)
        state["_random_when_copied"] = self.has_random_weights
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        random = state.pop("_random_when_copied", False)
        super().__setstate__(state)
        # the copy's counters start anew: compare with them if it was random, else never
        self._initial_versions = self._weight_versions() if random else None
        self._initial_optimizer_steps = _watch_optimizer_steps()

    def clear_fast_cache(self) -> None:
        """Drop the encoder's cached fast-path weights (:meth:`EEGPTEncoder.clear_fast_cache`):
        needed only after editing the parameters of a model in eval mode through ``p.data``."""
        self.target_encoder.clear_fast_cache()

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
            from eegpt.checkpoints import modified_weights  # imports this module

            name = Path(str(info["path"])).name
            if modified_weights(self) is None:
                parts.append(f"checkpoint={name!r}")
            else:  # load_state_dict, training: the weights are no longer the file's
                parts.append(f"loaded_from={name!r}, weights modified")
        if (info.get("notes") or {}).get("pretrained") is False:
            parts.append("NOT PRETRAINED")
        elif self.has_random_weights:
            parts.append("random weights")
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
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        embed = eegpt.api.embed_method
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
