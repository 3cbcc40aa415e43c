"""Poolings of summary tokens ``[n, N, S, D]`` into one vector per window (:data:`POOLINGS`,
:func:`pool_embeddings`) and the names of their features (:func:`feature_names`)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["POOLINGS", "feature_names", "pool_embeddings"]


def _rows(z: np.ndarray) -> np.ndarray:
    """``z`` as ``[n, features]``, also for no windows (where ``reshape(0, -1)`` fails)."""
    return z.reshape(len(z), math.prod(z.shape[1:]))


def _flatten(z: np.ndarray) -> np.ndarray:
    return _rows(z)


def _average(z: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """Mean over ``axis``, summed in float64, in ``z``'s dtype, one row per window."""
    if not len(z):
        return _rows(z.sum(axis=axis))
    return _rows(z.mean(axis=axis, dtype=np.float64).astype(z.dtype))


def _mean(z: np.ndarray) -> np.ndarray:
    return _average(z, (1, 2))


def _mean_patches(z: np.ndarray) -> np.ndarray:
    return _average(z, 1)


def _mean_tokens(z: np.ndarray) -> np.ndarray:
    return _average(z, 2)


POOLINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "flatten": _flatten,
    "mean": _mean,
    "mean_patches": _mean_patches,
    "mean_tokens": _mean_tokens,
}
"""Named poolings of summary tokens ``[n, N, S, D]`` into one vector per epoch:

``"flatten"`` ``[n, N*S*D]`` (everything, what the linear probe sees); ``"mean"`` ``[n, D]`` (mean
over patches and summary tokens); ``"mean_patches"`` ``[n, S*D]`` (mean over time patches, the
summary tokens kept apart); ``"mean_tokens"`` ``[n, N*D]`` (mean over summary tokens, time kept).
"""


_FEATURE_PATTERNS = {
    "flatten": lambda n, s, d: [
        f"p{i}_s{j}_d{k}" for i in range(n) for j in range(s) for k in range(d)
    ],
    "mean": lambda n, s, d: [f"d{k}" for k in range(d)],
    "mean_patches": lambda n, s, d: [f"s{j}_d{k}" for j in range(s) for k in range(d)],
    "mean_tokens": lambda n, s, d: [f"p{i}_d{k}" for i in range(n) for k in range(d)],
}


def feature_names(pooling: str | Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...],
                  n_features: int | None = None) -> list[str]:  # fmt: skip
    """Names of the columns of :func:`pool_embeddings` for embeddings ``(N, S, D)`` per window:
    ``eegpt_p{patch}_s{token}_d{dim}`` with the parts the pooling keeps (``eegpt_d{dim}`` for
    ``"mean"``); ``eegpt_{i}`` for a callable, which needs ``n_features``."""
    if callable(pooling):
        if n_features is None:
            raise ValueError("feature names of a pooling callable need n_features")
        return [f"eegpt_{i}" for i in range(n_features)]
    return [f"eegpt_{name}" for name in _FEATURE_PATTERNS[pooling](*shape)]


def pool_embeddings(
    z: np.ndarray, pooling: str | Callable[[np.ndarray], np.ndarray] = "flatten"
) -> np.ndarray:
    """Pool summary tokens ``[n, N, S, D]`` into ``[n, n_features]`` (see :data:`POOLINGS`).

    A callable gets the 4-D array and must return a 2-D one with one row per epoch.
    """
    if z.ndim != 4:
        raise ValueError(f"embeddings must be [n, N, S, D], got shape {z.shape}")
    if callable(pooling):
        out = np.asarray(pooling(z))
        if out.ndim != 2 or len(out) != len(z):
            raise ValueError(
                f"a pooling callable must return [n_epochs, n_features], got shape {out.shape} "
                f"for {len(z)} epochs"
            )
        return out
    try:
        return POOLINGS[pooling](z)
    except KeyError:
        raise ValueError(
            f"unknown pooling {pooling!r}; use one of {sorted(POOLINGS)} or a callable"
        ) from None
