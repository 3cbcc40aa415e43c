"""Architecture configurations of the EEGPT encoder, as data.

The size presets are the ones of the EEGPT paper (Wang et al., NeurIPS 2024, Table of model
variants): ``embed_dim`` (width D), ``embed_num`` (summary tokens S) and the encoder ``depth``.
Only the encoder is needed for inference; the predictor/reconstructor depths of the paper do not
appear here.
"""

from __future__ import annotations

import difflib
import functools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, TypeAlias, TypeVar, cast

N_VOCABULARY = 62  # rows of the channel-embedding table of the released model

#: The numeric precisions the model runs in (:class:`eegpt.engine.InferenceEngine`).
Precision = Literal["float32", "bfloat16", "float16"]
PRECISIONS: tuple[Precision, ...] = ("float32", "bfloat16", "float16")
#: Other names of the precisions, taken in any letter case wherever a precision is given (the
#: engine's ``precision`` and ``stream_precision``, :func:`eegpt.embed`, training, the command
#: line's ``--precision`` and ``--stream-precision``); :func:`precision_name` maps them.
PRECISION_ALIASES: dict[str, Precision] = {
    "bf16": "bfloat16",
    "fp16": "float16",
    "half": "float16",
    "fp32": "float32",
}


def precision_name(precision: object, name: str = "precision") -> Precision:
    """The name ``precision`` stands for: ``"float32"``, ``"bfloat16"`` or ``"float16"``, also
    given in any letter case or as an alias of :data:`PRECISION_ALIASES` (``"bf16"``,
    ``"fp16"``, ``"half"``, ``"fp32"``); a ValueError naming the argument ``name`` otherwise.
    Everything that records a precision records this name."""
    word = precision.strip().lower() if isinstance(precision, str) else None
    if word is not None:
        word = PRECISION_ALIASES.get(word, word)
    if word not in PRECISIONS:
        aliases = ", ".join(PRECISION_ALIASES)
        raise ValueError(
            f"{name} must be one of {sorted(PRECISIONS)} (or {aliases}, in any case), got "
            f"{precision!r}"
        )
    return cast(Precision, word)


def mlp_ratio_for(embed_dim: int, hidden: int) -> float:
    """The ``mlp_ratio`` whose MLP is exactly ``hidden`` units wide for ``embed_dim``
    (``int(embed_dim * ratio) == hidden``, the width :class:`EEGPTConfig` builds).

    ``hidden / embed_dim`` itself, unless its product with ``embed_dim`` rounds down below
    ``hidden`` in floating point (176 * (240 / 176) = 239.99999999999997, built as 239 units):
    then the next float above it, which is still ``hidden / embed_dim`` to 16 digits.
    """
    ratio = hidden / embed_dim
    while int(embed_dim * ratio) < hidden:
        ratio = math.nextafter(ratio, math.inf)
    return ratio


#: A command-line name of a settings field (argparse's ``dest``) mapped to the field it sets
#: (``{"passes": "epochs"}``), or to the field and how the option's value becomes the field's
#: where it is not taken as it is (``{"rescale": ("scale", "scale=1e3 * rescale")}``).
CliNames: TypeAlias = Mapping[str, str | tuple[str, str]]


def meant_field(key: object, names: Sequence[str], cli_names: CliNames) -> str | None:
    """What a settings dataclass's unknown keyword ``key`` is taken to mean, for its error:
    ``"did you mean 'epochs' (the command line's --passes)?"`` where ``cli_names`` (the
    command line's names, as argparse's ``dest``, mapped to the fields they set,
    :data:`CliNames`) has it (``"did you mean 'scale' (the command line's --rescale is
    scale=1e3 * rescale)?"`` where the option's value is not the field's), else the field of
    ``names`` it is closest to; None where none is close."""
    if isinstance(key, str) and key in cli_names:
        meant = cli_names[key]
        field, how = (meant, "") if isinstance(meant, str) else meant
        option = f"--{key.replace('_', '-')}"
        return f"did you mean {field!r} (the command line's {option}{f' is {how}' if how else ''})?"
    close = difflib.get_close_matches(str(key), names, n=1)
    return f"did you mean {close[0]!r}?" if close else None


def strict_from_dict(cls: type, d: Any, what: str, cli_names: CliNames | None = None) -> Any:
    """``cls(**d)`` for a settings dataclass, refusing keys it does not have (no silent
    changes when a saved file was written by another version, or a key is misspelt); ``what``
    names the settings in the error, which suggests the field meant for each unknown key
    (:func:`meant_field`, ``cli_names`` the command line's names of the fields)."""
    names = sorted(f.name for f in fields(cls))
    unknown = sorted(set(d) - set(names), key=str)
    if unknown:
        meant = [
            f"{key!r}: {hint}"
            for key in unknown
            if (hint := meant_field(key, names, cli_names or {}))
        ]
        hint = f" ({'; '.join(meant)})" if meant else ""
        raise ValueError(f"unknown {what} settings {unknown}{hint}; known: {names}")
    return cls(**dict(d))


_T = TypeVar("_T")


def keywords_meant(cli_names: CliNames) -> Callable[[type[_T]], type[_T]]:
    """Class decorator (above ``@dataclass``) whose class, called with a keyword it has no
    field of, raises the :class:`TypeError` Python does, naming the field meant
    (:func:`meant_field`; ``cli_names``: the command line's names of its fields, such as
    ``{"passes": "epochs"}``, :data:`CliNames`) and the fields it has. The signature stays
    the dataclass's. :class:`EEGPTConfig`, :class:`~eegpt.preprocessing.PreprocessingConfig`,
    :class:`~eegpt.probe_config.ProbeConfig` and :class:`~eegpt.channels.ChannelRules` have
    it."""

    def decorate(cls: type[_T]) -> type[_T]:
        init = cls.__init__
        names = sorted(f.name for f in fields(cast(Any, cls)))

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            for key in kwargs:
                if key not in names:
                    hint = meant_field(key, names, cli_names)
                    raise TypeError(
                        f"{cls.__name__}() got an unexpected keyword argument {key!r}"
                        + (f": {hint}" if hint else ".")
                        + f" Its settings: {', '.join(names)}"
                    )
            init(self, *args, **kwargs)

        setattr(cls, "__init__", __init__)  # noqa: B010 (mypy: no assignment to a method)
        return cls

    return decorate


@keywords_meant({})
@dataclass(frozen=True)
class EEGPTConfig:
    """Hyper-parameters of the EEGPT encoder.

    Parameters
    ----------
    embed_dim : int
        Token width D, >= 1.
    depth : int
        Number of transformer blocks, >= 0. ``0`` builds an encoder without blocks (patch and
        channel embeddings, then the final norm): a placeholder or a test fixture, not a model
        any pretrained weights fit.
    num_heads : int
        Attention heads, >= 1; ``embed_dim`` must be divisible by it.
    embed_num : int
        Number of learned summary tokens S appended after the channel tokens, >= 1.
    patch_size : int
        Samples per time patch, >= 1 (64 samples = 250 ms at 256 Hz).
    patch_stride : int or None
        Hop between patches in samples, >= 1; ``None`` means ``patch_size``
        (non-overlapping, as in the pretrained model). A stride longer than ``patch_size``
        skips the samples between patches, and the last patch may lie wholly in the zero
        padding (see :meth:`n_patches`).
    mlp_ratio : float
        Hidden width of the MLP as a multiple of ``embed_dim``: finite, > 0, and
        ``int(embed_dim * mlp_ratio) >= 1``. The width built is ``int(embed_dim * mlp_ratio)``
        (truncated, as in timm and braindecode), so ``hidden / embed_dim`` can build one unit
        less than ``hidden`` (176 * (240 / 176) = 239.99999999999997); :func:`mlp_ratio_for`
        gives the ratio that builds a given width.
    qkv_bias : bool
        Whether the fused query/key/value projection has a bias.
    layer_norm_eps : float
        Epsilon of every LayerNorm, finite and > 0.
    n_chan_embeddings : int
        Rows of the channel-embedding table, >= 1 (62 for the released vocabulary).

    Every field is checked when the config is made: a ``TypeError`` for a value of the wrong
    type (integer fields take integers, not ``bool``, floats or strings), a ``ValueError`` for
    one out of range, each naming the field and what it accepts.
    """

    embed_dim: int = 512
    depth: int = 8
    num_heads: int = 8
    embed_num: int = 4
    patch_size: int = 64
    patch_stride: int | None = None
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    layer_norm_eps: float = 1e-6
    n_chan_embeddings: int = N_VOCABULARY

    def __post_init__(self) -> None:
        for name in ("embed_dim", "num_heads", "embed_num", "patch_size", "n_chan_embeddings"):
            _check_int(name, getattr(self, name), 1)
        _check_int("depth", self.depth, 0)
        if self.patch_stride is not None:
            _check_int("patch_stride", self.patch_stride, 1, "or None (= patch_size)")
        _check_positive("mlp_ratio", self.mlp_ratio)
        _check_positive("layer_norm_eps", self.layer_norm_eps)
        if not isinstance(self.qkv_bias, bool):
            raise TypeError(
                f"EEGPTConfig.qkv_bias must be True or False, got {self.qkv_bias!r} "
                f"({type(self.qkv_bias).__name__})"
            )
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"EEGPTConfig.embed_dim={self.embed_dim} is not divisible by "
                f"num_heads={self.num_heads}: each head takes embed_dim // num_heads of the "
                "width; choose num_heads among the divisors of embed_dim"
            )
        if int(self.embed_dim * self.mlp_ratio) < 1:
            raise ValueError(
                f"EEGPTConfig.mlp_ratio={self.mlp_ratio!r} gives an MLP of "
                f"int(embed_dim * mlp_ratio) = {int(self.embed_dim * self.mlp_ratio)} units; "
                f"it must be at least 1 (at least {1 / self.embed_dim:g} for "
                f"embed_dim={self.embed_dim}; the paper's models use 4.0)"
            )

    @property
    def stride(self) -> int:
        """Effective hop between patches in samples."""
        return self.patch_size if self.patch_stride is None else self.patch_stride

    @property
    def head_dim(self) -> int:
        return self.embed_dim // self.num_heads

    @property
    def mlp_hidden(self) -> int:
        return int(self.embed_dim * self.mlp_ratio)

    def n_patches(self, n_times: int) -> int:
        """Number of time patches for an input of ``n_times`` samples:
        ``ceil((n_times - patch_size) / stride) + 1``.

        Patches start every ``stride`` samples from sample 0, one more whenever
        ``n_times - patch_size`` is not a multiple of the stride, and the input is zero-padded
        at its end to :meth:`padded_length` samples for that patch (braindecode's convention,
        kept for parity). With ``stride <= patch_size`` the extra patch holds the tail of the
        data and then zeros. With ``stride > patch_size`` it starts where the previous start
        plus ``stride`` falls, which may be past the end of the data: it is then all zeros
        (``patch_size=64``, ``stride=100``, ``n_times=165``: 3 patches, the third at samples
        200-263 of the 165), and the samples between patches belong to none.
        """
        if n_times < self.patch_size:
            raise ValueError(
                f"windows of {n_times} samples are shorter than one patch of {self.patch_size} "
                f"samples ({self.patch_size / 256:g} s at the model's 256 Hz): make windows at "
                f"least that long (window_seconds)"
            )
        return -(-(n_times - self.patch_size) // self.stride) + 1

    def padded_length(self, n_times: int) -> int:
        """Input length after the zero padding at the end: ``(n_patches - 1) * stride +
        patch_size`` samples, so that the last patch is whole (:meth:`n_patches` says where
        the patches fall; with ``stride > patch_size`` that patch may be padding only)."""
        return (self.n_patches(n_times) - 1) * self.stride + self.patch_size

    def flops_per_window(self, n_chans: int, n_times: int) -> int:
        """Multiply-add count x2 (FLOPs) of one encoder forward pass on ``[n_chans, n_times]``."""
        d, h, s = self.embed_dim, self.mlp_hidden, self.embed_num
        n = self.n_patches(n_times)
        tokens = n_chans + s
        patch = 2 * n * n_chans * self.patch_size * d
        per_block = 2 * tokens * (3 * d * d + d * d + 2 * d * h) + 2 * 2 * tokens * tokens * d
        return int(patch + n * self.depth * per_block)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EEGPTConfig:
        """Build from a dict of fields (the inverse of :meth:`to_dict`); missing ones keep
        their defaults.

        A key that is not a field is an error naming the field meant: ignored, a typo such as
        ``embed_dimm`` would silently build the default architecture. Configs written by other
        software (braindecode's or a Hugging Face ``config.json``, with keys of their own)
        are read by :func:`eegpt.load_model`, which takes only the values it knows from them.
        """
        return strict_from_dict(cls, d, "EEGPTConfig")

    def replace(self, **changes: Any) -> EEGPTConfig:
        return replace(self, **changes)


def _check_int(name: str, value: Any, minimum: int, more: str = "") -> None:
    """Refuse an :class:`EEGPTConfig` field ``name`` that is not an integer (``bool`` and
    strings included: ``TypeError``) or is below ``minimum`` (``ValueError``)."""
    accepted = f"an integer >= {minimum}{f' {more}' if more else ''}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"EEGPTConfig.{name} must be {accepted}, got {value!r} ({type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(f"EEGPTConfig.{name} must be {accepted}, got {value!r}")


def _check_positive(name: str, value: Any) -> None:
    """Refuse an :class:`EEGPTConfig` field ``name`` that is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"EEGPTConfig.{name} must be a finite number > 0, got {value!r} "
            f"({type(value).__name__})"
        )
    if not (math.isfinite(value) and float(value) > 0):
        raise ValueError(f"EEGPTConfig.{name} must be a finite number > 0, got {value!r}")


# The paper's variants (encoder part). Heads follow the original pretraining configs.
PRESETS: dict[str, EEGPTConfig] = {
    "tiny1": EEGPTConfig(embed_dim=64, embed_num=1, depth=2, num_heads=4),
    "tiny2": EEGPTConfig(embed_dim=64, embed_num=4, depth=2, num_heads=4),
    "tiny3": EEGPTConfig(embed_dim=64, embed_num=4, depth=8, num_heads=4),
    "little": EEGPTConfig(embed_dim=128, embed_num=4, depth=8, num_heads=4),
    "base1": EEGPTConfig(embed_dim=256, embed_num=1, depth=6, num_heads=4),
    "base2": EEGPTConfig(embed_dim=256, embed_num=4, depth=8, num_heads=4),
    "base3": EEGPTConfig(embed_dim=512, embed_num=1, depth=6, num_heads=8),
    "large": EEGPTConfig(embed_dim=512, embed_num=4, depth=8, num_heads=8),
}


def get_config(name_or_config: str | EEGPTConfig | dict[str, Any]) -> EEGPTConfig:
    """Resolve a preset name, a dict or a config into an :class:`EEGPTConfig`; a dict's keys
    must be fields (:meth:`EEGPTConfig.from_dict`)."""
    if isinstance(name_or_config, EEGPTConfig):
        return name_or_config
    if isinstance(name_or_config, dict):
        return EEGPTConfig.from_dict(name_or_config)
    try:
        return PRESETS[name_or_config]
    except KeyError:
        raise ValueError(
            f"unknown EEGPT preset {name_or_config!r}; choose one of {sorted(PRESETS)}"
        ) from None
