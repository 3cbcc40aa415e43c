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
* ``fused=True`` (default) -- the fast path: the patch embedding as one matmul with the conv bias
  and the channel embedding folded into a single additive term, summary tokens written into a
  preallocated token buffer, and a last block that computes queries, attention output,
  projection and MLP for the S summary rows only (the channel rows are discarded anyway).
  Tested against the reference path to float32 precision.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from eegpt.config import EEGPTConfig, get_config


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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        y = F.scaled_dot_product_attention(self._heads(q), self._heads(k), self._heads(v))
        return self.proj(y.transpose(1, 2).flatten(2))

    def forward_rows(self, x: torch.Tensor, n_rows: int) -> torch.Tensor:
        """Attention output for the last ``n_rows`` tokens only, keys/values from all tokens.

        ``[L, n, D] -> [L, n_rows, D]``; equal to ``forward(x)[:, -n_rows:]``.
        """
        dim = x.shape[-1]
        w, b = self.qkv.weight, self.qkv.bias
        q = F.linear(x[:, -n_rows:], w[:dim], None if b is None else b[:dim])
        k, v = F.linear(x, w[dim:], None if b is None else b[dim:]).chunk(2, dim=-1)
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def forward_rows(self, x: torch.Tensor, n_rows: int) -> torch.Tensor:
        """The block's output for the last ``n_rows`` tokens only: ``[L, n, D] -> [L, n_rows, D]``."""
        y = x[:, -n_rows:] + self.attn.forward_rows(self.norm1(x), n_rows)
        return y + self.mlp(self.norm2(y))


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

        Returns the normalised summary tokens ``[B, N, S, D]``.
        """
        self._check(x, chan_ids)
        chan_ids = chan_ids.to(device=x.device, dtype=torch.long)
        if self.fused:
            return self._forward_fused(x, chan_ids)
        return self._forward_reference(x, chan_ids)

    def _forward_reference(self, x: torch.Tensor, chan_ids: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        s = self.config.embed_num
        t = self.patch_embed(x) + self.chan_embed(chan_ids)  # [B, N, C, D]
        n, c = t.shape[1], t.shape[2]
        t = t.reshape(b * n, c, -1)
        t = torch.cat([t, self.summary_token.expand(b * n, -1, -1)], dim=1)
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t[:, -s:]).reshape(b, n, s, -1)

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
        # Moving or casting the module invalidates every derived tensor.
        self.__dict__.setdefault("_fast_cache", {}).clear()
        return super()._apply(fn, recurse)

    def fast_plan_options(self) -> tuple[bool, bool]:
        """Which algebraic shortcuts apply: ``(low_rank_first_block, absorbed_last_block)``.

        ``low_rank_first_block`` needs a first block that is not also the last one and patches
        shorter than half the width; ``absorbed_last_block`` is chosen by :attr:`last_block`
        (``"auto"`` = on CPU only, where it saves the most time; on GPUs the library attention
        kernel is as fast and launches fewer kernels).
        """
        cfg = self.config
        low_rank = cfg.depth >= 2 and 2 * cfg.patch_size <= cfg.embed_dim
        mode = self.last_block
        if mode not in ("auto", "absorbed", "rows"):
            raise ValueError(f"last_block must be 'auto', 'absorbed' or 'rows', got {mode!r}")
        if cfg.depth == 0:
            absorbed = False
        elif mode == "auto":
            absorbed = self.patch_embed.proj.weight.device.type == "cpu"
        else:
            absorbed = mode == "absorbed"
        return low_rank, absorbed

    def fast_plan(self, chan_ids: torch.Tensor | list[int] | tuple[int, ...]) -> FastPlan:
        """Derived weights of the fast path for the channel set ``chan_ids`` ``[C]``.

        In inference (no autograd) the weight-derived tensors are cached until a parameter is
        modified in place, replaced or moved, and the channel terms are cached per channel set.
        With autograd enabled everything is recomputed, so gradients flow to the parameters.
        """
        caching = not torch.is_grad_enabled()
        cache: dict = self.__dict__.setdefault("_fast_cache", {})
        options = self.fast_plan_options()
        key = (options, _param_key(self))
        weights = cache.get("weights") if caching else None
        if weights is None or weights[0] != key:
            # Holding the parameters' storage keeps their addresses (part of the key) unique.
            held = [p.detach() for p in self.parameters()]
            weights = (key, _derive_weight_terms(self, *options), held)
            cache.clear()
            if caching:
                cache["weights"] = weights
        terms = weights[1]
        ids = torch.as_tensor(chan_ids, dtype=torch.long)
        id_key = tuple(ids.tolist())
        channel = cache.get(("channels", id_key)) if caching else None
        if channel is None:
            channel = _derive_channel_terms(self, ids.to(self.chan_embed.weight.device), terms)
            if caching:
                cache[("channels", id_key)] = channel
        return terms._replace(channel=channel)

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
        tokens = x.new_empty(b * n, c + s, d)
        # One matmul for all patches, with conv bias and channel embedding added on the way out.
        torch.add(plan.channel.token_bias, patches @ plan.patch_weight_t, out=tokens[:, :c])
        tokens[:, c:] = self.summary_token
        if not self.blocks:
            return self.norm(tokens[:, c:]).reshape(b, n, s, d)
        first = 0
        if plan.first_qkv_t is not None:
            tokens = _first_block_low_rank(self.blocks[0], tokens, patches, plan)
            first = 1
        for blk in self.blocks[first:-1]:
            tokens = blk(tokens)
        if plan.last_k is not None:
            out = _last_block_absorbed(self.blocks[-1], tokens, s, plan)
        else:
            out = self.blocks[-1].forward_rows(tokens, s)
        return self.norm(out).reshape(b, n, s, d)


class ChannelTerms(NamedTuple):
    """Channel-dependent additive terms of the fast path (one row per input channel)."""

    token_bias: torch.Tensor  # [C, D]: conv bias + channel embedding
    qkv_offset: torch.Tensor | None  # [C, 3D]: channel part of the low-rank first-block qkv


class FastPlan(NamedTuple):
    """Tensors derived from the encoder weights, computed once (in float64) per weight version.

    Notation: ``W`` ``[D, P]`` patch projection, ``Wc`` the same with its column means over D
    removed, ``g``/``beta`` the first block's ``norm1`` scale/shift, ``Wqkv`` ``[3D, D]`` and
    ``bqkv`` its fused projection, H heads of width ``hd = D / H``.

    * First block (the patch tokens are an affine function of a P-dimensional patch, P << D):
      ``qkv = (patch @ first_qkv_t + qkv_offset[c]) * rstd + first_qkv_const`` with
      ``first_qkv_t = (Wc * g[:, None]).T @ Wqkv.T`` ``[P, 3D]``, ``rstd`` the token's inverse
      standard deviation over D and ``first_qkv_const = beta @ Wqkv.T + bqkv``; the summary
      tokens' queries/keys/values are the constant ``summary_qkv`` ``[S, 3D]``. This is
      ``Wqkv @ LayerNorm(W @ patch + bias_c) + bqkv`` rewritten, at P/D of the cost.
    * Last block ("absorbed" attention, only S query rows): a score ``q_h . k_hj`` equals
      ``(q_h @ Wk_h) . LN(x_j)`` plus a term constant over keys that the softmax cancels, and
      ``sum_j p_j v_hj = Wv_h @ (sum_j p_j LN(x_j)) + bv_h``; so keys and values are never
      projected: ``last_k = Wk_h / sqrt(hd)`` ``[H, hd, D]``, ``last_v_t = Wv_h.T``
      ``[H, D, hd]``.
    """

    patch_weight_t: torch.Tensor  # [P, D]
    first_qkv_t: torch.Tensor | None  # [P, 3D]
    first_qkv_const: torch.Tensor | None  # [3D]
    summary_qkv: torch.Tensor | None  # [S, 3D]
    last_k: torch.Tensor | None  # [H, hd, D]
    last_v_t: torch.Tensor | None  # [H, D, hd]
    channel: ChannelTerms | None = None


def _param_key(module: nn.Module) -> tuple:
    """Identity + in-place version of every parameter: changes when any weight changes."""
    return tuple((p.data_ptr(), p._version, p.dtype, p.device) for p in module.parameters())


def _wide(t: torch.Tensor) -> torch.Tensor:
    """``t`` in float64 for deriving weights (float32 where the device has no float64)."""
    return t.float() if t.device.type == "mps" else t.double()


def _derive_weight_terms(enc: EEGPTEncoder, low_rank: bool, absorbed: bool) -> FastPlan:
    cfg = enc.config
    d, p = cfg.embed_dim, cfg.patch_size
    weight = enc.patch_embed.proj.weight.reshape(d, p)
    dtype = weight.dtype
    first_qkv_t = first_qkv_const = summary_qkv = last_k = last_v_t = None
    if low_rank:
        blk = enc.blocks[0]
        g, beta, eps = _ln_params(blk.norm1)
        wqkv, bqkv = _wide(blk.attn.qkv.weight), _bias(blk.attn.qkv, 3 * d)
        w = _wide(weight)
        wc = w - w.mean(0, keepdim=True)  # [D, P]
        first_qkv_t = ((wc * g[:, None]).t() @ wqkv.t()).to(dtype)
        first_qkv_const = (beta @ wqkv.t() + bqkv).to(dtype)
        summary = F.layer_norm(_wide(enc.summary_token[0]), (d,), g, beta, eps)
        summary_qkv = (summary @ wqkv.t() + bqkv).to(dtype)
    if absorbed:
        attn = enc.blocks[-1].attn
        h, hd = attn.num_heads, attn.head_dim
        wqkv = attn.qkv.weight
        last_k = (_wide(wqkv[d : 2 * d]) * hd**-0.5).to(dtype).reshape(h, hd, d)
        last_v_t = wqkv[2 * d :].reshape(h, hd, d).transpose(1, 2).contiguous()
    return FastPlan(weight.t(), first_qkv_t, first_qkv_const, summary_qkv, last_k, last_v_t)


def _derive_channel_terms(
    enc: EEGPTEncoder, chan_ids: torch.Tensor, terms: FastPlan
) -> ChannelTerms:
    token_bias = enc.token_bias(chan_ids)
    offset = None
    if terms.first_qkv_t is not None:
        blk = enc.blocks[0]
        g = _ln_params(blk.norm1)[0]
        tb = _wide(token_bias)
        centred = (tb - tb.mean(-1, keepdim=True)) * g
        offset = (centred @ _wide(blk.attn.qkv.weight).t()).to(token_bias.dtype)
    return ChannelTerms(token_bias, offset)


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


def _first_block_low_rank(
    blk: Block, tokens: torch.Tensor, patches: torch.Tensor, plan: FastPlan
) -> torch.Tensor:
    """First block on ``tokens`` ``[L, C + S, D]`` with the low-rank qkv (see :class:`FastPlan`).

    ``patches`` ``[L, C, P]`` are the raw patches the channel tokens were projected from.
    """
    c = patches.shape[1]
    x = tokens[:, :c]
    var, _ = torch.var_mean(x, dim=-1, keepdim=True, correction=0)
    rstd = (var + blk.norm1.eps).rsqrt_()  # [L, C, 1]
    qkv = tokens.new_empty(tokens.shape[0], tokens.shape[1], plan.summary_qkv.shape[-1])
    low = torch.add(plan.channel.qkv_offset, patches @ plan.first_qkv_t)
    torch.addcmul(plan.first_qkv_const, low, rstd, out=qkv[:, :c])
    qkv[:, c:] = plan.summary_qkv
    attn = blk.attn
    q, k, v = qkv.chunk(3, dim=-1)
    y = F.scaled_dot_product_attention(attn._heads(q), attn._heads(k), attn._heads(v))
    t = tokens + attn.proj(y.transpose(1, 2).flatten(2))
    return t + blk.mlp(blk.norm2(t))


def _last_block_absorbed(
    blk: Block, tokens: torch.Tensor, n_rows: int, plan: FastPlan
) -> torch.Tensor:
    """Last block for the last ``n_rows`` tokens with absorbed key/value projections.

    ``[L, n, D] -> [L, n_rows, D]``; see :class:`FastPlan` for the algebra.
    """
    attn = blk.attn
    seqs, _, d = tokens.shape
    heads, hd = attn.num_heads, attn.head_dim
    h = blk.norm1(tokens)  # [L, n, D]
    w, b = attn.qkv.weight, attn.qkv.bias
    q = F.linear(h[:, -n_rows:], w[:d], None if b is None else b[:d])  # [L, S, D]
    q = q.reshape(seqs * n_rows, heads, hd).transpose(0, 1)  # [H, L*S, hd]
    qk = torch.bmm(q, plan.last_k)  # [H, L*S, D]
    qk = qk.reshape(heads, seqs, n_rows * d).transpose(0, 1).reshape(seqs, heads * n_rows, d)
    probs = torch.bmm(qk, h.transpose(1, 2)).softmax(dim=-1)  # [L, H*S, n]
    z = torch.bmm(probs, h)  # [L, H*S, D]
    z = z.reshape(seqs, heads, n_rows * d).transpose(0, 1).reshape(heads, seqs * n_rows, d)
    y = torch.bmm(z, plan.last_v_t)  # [H, L*S, hd]
    y = y.transpose(0, 1).reshape(seqs, n_rows, d)
    if b is not None:
        y = y + b[2 * d :]
    out = tokens[:, -n_rows:] + attn.proj(y)
    return out + blk.mlp(blk.norm2(out))


class LinearWithConstraint(nn.Linear):
    """Linear layer whose weight rows are renormalised to an L2 norm of at most ``max_norm``.

    As in the original EEGPT probes: in training the stored weight is renormalised in place before
    each forward pass; in eval mode the constraint is applied to a copy, so inference never
    mutates the parameters.
    """

    def __init__(self, in_features: int, out_features: int, max_norm: float, bias: bool = True):
        super().__init__(in_features, out_features, bias=bias)
        self.max_norm = max_norm

    def constrained_weight(self) -> torch.Tensor:
        return torch.renorm(self.weight, p=2, dim=0, maxnorm=self.max_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            with torch.no_grad():
                self.weight.copy_(self.constrained_weight())
            return F.linear(x, self.weight, self.bias)
        return F.linear(x, self.constrained_weight(), self.bias)


class Conv1dWithConstraint(nn.Conv1d):
    """``nn.Conv1d`` with each output filter renormalised to L2 norm <= ``max_norm``."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, max_norm: float = 1.0
    ):
        super().__init__(in_channels, out_channels, kernel_size)
        self.max_norm = max_norm

    def constrained_weight(self) -> torch.Tensor:
        return torch.renorm(self.weight, p=2, dim=0, maxnorm=self.max_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            with torch.no_grad():
                self.weight.copy_(self.constrained_weight())
            return self._conv_forward(x, self.weight, self.bias)
        return self._conv_forward(x, self.constrained_weight(), self.bias)


class ChannelProjection(nn.Module):
    """Learned 1x1 channel mixing ``[B, C_in, T] -> [B, C_out, T]`` with max-norm filters.

    The original downstream scripts map e.g. the 22 BCI-IV-2a electrodes to 19 vocabulary channels
    this way before the encoder.
    """

    def __init__(self, in_channels: int, out_channels: int, max_norm: float = 1.0) -> None:
        super().__init__()
        self.proj = Conv1dWithConstraint(in_channels, out_channels, 1, max_norm=max_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


class LinearProbe(nn.Module):
    """The original EEGPT linear probe, ``[B, N, S, D] -> [B, n_outputs]``.

    ``probe1`` maps each patch's flattened summary tokens (S*D) to ``hidden`` features, dropout is
    applied before it, then ``probe2`` maps the N*hidden concatenation to the outputs.
    """

    def __init__(
        self,
        n_patches: int,
        embed_num: int,
        embed_dim: int,
        n_outputs: int,
        hidden: int = 16,
        dropout: float = 0.5,
        max_norm1: float = 1.0,
        max_norm2: float = 0.25,
    ) -> None:
        super().__init__()
        self.probe1 = LinearWithConstraint(embed_num * embed_dim, hidden, max_norm=max_norm1)
        self.dropout = nn.Dropout(dropout)
        self.probe2 = LinearWithConstraint(n_patches * hidden, n_outputs, max_norm=max_norm2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.probe1(self.dropout(z.flatten(2)))
        return self.probe2(h.flatten(1))


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

    The state-dict keys are those of braindecode's ``EEGPT``: ``target_encoder.*``,
    ``chan_proj.proj.*`` and ``final_layer.probe{1,2}.*``.
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

    @property
    def fused(self) -> bool:
        return self.target_encoder.fused

    @fused.setter
    def fused(self, value: bool) -> None:
        self.target_encoder.fused = value

    def encode(self, x: torch.Tensor, chan_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Summary tokens ``[B, N, S, D]`` of ``x`` ``[B, C, T]`` (after the channel projection)."""
        if self.chan_proj is not None:
            x = self.chan_proj(x)
        ids = self.chan_ids if chan_ids is None else torch.as_tensor(chan_ids)
        if ids.numel() == 0:
            raise ValueError(
                "no channel vocabulary indices: pass chan_ids (see eegpt.channels.map_channels)"
            )
        return self.target_encoder(x, ids)

    def embed(self, data, **kwargs):
        """Embed a recording (path, Raw, Epochs or array); see :func:`eegpt.api.embed`."""
        from eegpt.api import embed

        return embed(self, data, **kwargs)

    def forward(self, x: torch.Tensor, chan_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Probe logits ``[B, n_outputs]`` when a head exists, else summary tokens."""
        z = self.encode(x, chan_ids)
        return z if self.final_layer is None else self.final_layer(z)
