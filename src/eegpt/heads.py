"""Downstream heads for the EEGPT encoder, as in the original EEGPT probes.

:class:`LinearProbe` maps the encoder's summary tokens ``[B, N, S, D]`` to outputs;
:class:`ChannelProjection` maps an input montage to the encoder's channels before it (1x1
convolution). Their layers keep each weight row (filter) within an L2 norm (max-norm
constraint): :class:`LinearWithConstraint`, :class:`Conv1dWithConstraint`, and
:func:`renorm_constrained_` to store weights that satisfy it. :class:`eegpt.model.EEGPT` holds
them as ``final_layer`` and ``chan_proj``; all are importable from :mod:`eegpt.model` too.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class _MaxNorm:
    """Max-norm constraint on the output rows/filters of a layer's ``weight`` (dim 0)."""

    weight: torch.Tensor
    max_norm: float
    training: bool

    def constrained_weight(self) -> torch.Tensor:
        """The weight with each row scaled to an L2 norm of at most ``max_norm``
        (``torch.renorm``; while a graph is recorded, the same numbers in plain operations,
        :func:`_renorm_rows`, as ONNX has no renorm)."""
        if _recording():
            return _renorm_rows(self.weight, self.max_norm)
        return torch.renorm(self.weight, p=2, dim=0, maxnorm=self.max_norm)

    @torch.no_grad()
    def renorm_(self) -> bool:
        """Renormalise the stored weight in place, writing only when a row's norm exceeds
        ``max_norm``; returns whether it wrote. The eval-mode output is unchanged (it uses the
        renormalised weight either way, to float32 rounding).

        ``torch.renorm`` scales a row to ``max_norm / (norm + 1e-7)``, whose norm can still
        round to just above ``max_norm``; renormalising again until nothing changes (one or two
        more times) stores a weight that the next call leaves as it is.
        """
        wrote = False
        for _ in range(8):
            constrained = self.constrained_weight()
            if torch.equal(constrained, self.weight):
                break
            self.weight.copy_(constrained)
            wrote = True
        return wrote

    def weight_for_forward(self) -> torch.Tensor:
        """Training: renormalise the stored weight in place (:meth:`renorm_`), then use it.
        Eval: a renormalised copy, so inference never mutates the parameters.

        The in-place write (which autograd sees) happens only when the weight exceeds the
        constraint, before this forward pass uses it: a second forward pass before
        ``backward()`` finds it renormalised and writes nothing, so the first pass's graph
        stays valid; a graph that saved the weight before it changed does fail, as it must.
        """
        if self.training:
            if _recording():
                raise RuntimeError(
                    f"{type(self).__name__} is in training mode while torch.jit.trace or "
                    "torch.export records it: training renormalises its stored weight in "
                    "place before each forward pass (and dropout is random), which a graph "
                    "cannot record. Call model.eval() before exporting or tracing the model"
                )
            self.renorm_()
            return self.weight
        return self.constrained_weight()


def _recording() -> bool:
    """``torch.jit.trace`` or ``torch.export`` is recording a graph (not ``torch.compile``)."""
    from eegpt.model import _tracing  # eegpt.model imports this module

    return _tracing()


def _renorm_rows(weight: torch.Tensor, max_norm: float) -> torch.Tensor:
    """``torch.renorm(weight, p=2, dim=0, maxnorm=max_norm)`` in operations every exporter
    knows (ONNX has no renorm), bit for bit in float32, float64, float16 and bfloat16: a row
    (``weight[i]``, any shape) whose L2 norm exceeds ``max_norm`` is scaled by
    ``max_norm / (norm + 1e-7)``; the other rows are kept as they are. As torch's kernel does,
    the norm and that factor are computed in float32 for a half-precision weight (its
    accumulation type; in the weight's dtype otherwise), the factor is then rounded to the
    weight's dtype and the row multiplied by it in that dtype."""
    dims = tuple(range(1, weight.ndim))
    wide = weight.float() if weight.dtype in (torch.float16, torch.bfloat16) else weight
    norm = torch.linalg.vector_norm(wide, 2, dim=dims, keepdim=True)
    limit = torch.full_like(norm, max_norm)
    factor = torch.where(norm > limit, limit / (norm + 1e-7), torch.ones_like(norm))
    return weight * factor.to(weight.dtype)


def renorm_constrained_(module: nn.Module) -> None:
    """Renormalise the stored weights of every max-norm layer in ``module`` in place
    (:meth:`_MaxNorm.renorm_`), so that they satisfy their constraint as stored; eval-mode
    outputs are unchanged (to float32 rounding). Training applies the constraint only before
    each forward pass, so the last optimizer step can leave rows above ``max_norm``."""
    for layer in module.modules():
        if isinstance(layer, _MaxNorm):
            layer.renorm_()


class LinearWithConstraint(_MaxNorm, nn.Linear):
    """Linear layer whose weight rows are renormalised to an L2 norm of at most ``max_norm``.

    As in the original EEGPT probes: in training the stored weight is renormalised in place before
    each forward pass; in eval mode the constraint is applied to a copy, so inference never
    mutates the parameters.
    """

    def __init__(self, in_features: int, out_features: int, max_norm: float, bias: bool = True):
        super().__init__(in_features, out_features, bias=bias)
        self.max_norm = max_norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight_for_forward(), self.bias)


class Conv1dWithConstraint(_MaxNorm, nn.Conv1d):
    """``nn.Conv1d`` with each output filter renormalised to L2 norm <= ``max_norm``."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, max_norm: float = 1.0
    ):
        super().__init__(in_channels, out_channels, kernel_size)
        self.max_norm = max_norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.weight_for_forward(), self.bias)


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
    applied before it, then ``probe2`` maps the N*hidden concatenation (patch-major: patch 0's
    ``hidden`` features first) to the outputs. ``hidden`` is 16 in the original EEGPT probes and
    braindecode's (``probe_hidden_dim``); a checkpoint's own width is read off ``probe1``'s weight
    ``[hidden, S*D]``.
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
