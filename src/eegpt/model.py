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
        cfg = self.config
        b, c = x.shape[:2]
        s, d = cfg.embed_num, cfg.embed_dim
        patches = self.patch_embed.patches(x)  # [B, N, C, P]
        n = patches.shape[1]
        weight = self.patch_embed.proj.weight.reshape(d, cfg.patch_size)
        tokens = x.new_empty(b * n, c + s, d)
        # One matmul for all patches, written straight into the token buffer.
        torch.add(
            self.token_bias(chan_ids),
            patches.reshape(b * n, c, cfg.patch_size) @ weight.t(),
            out=tokens[:, :c],
        )
        tokens[:, c:] = self.summary_token
        if not self.blocks:
            return self.norm(tokens[:, c:]).reshape(b, n, s, d)
        for blk in self.blocks[:-1]:
            tokens = blk(tokens)
        out = self.blocks[-1].forward_rows(tokens, s)
        return self.norm(out).reshape(b, n, s, d)


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
