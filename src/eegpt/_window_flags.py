"""Per-window quality flags: the windows over the flat and clipped stretches the signal checks
name (:func:`eegpt.signal_checks.check_signal`).

:class:`FlaggedSpans` holds, per channel, the stretches of a continuous recording that the
partly-flat and clipping warnings name (seconds from its first sample);
:meth:`FlaggedSpans.per_window` gives each window's flat and clipped channels, recorded as
``metadata["flat_channels"]`` and ``metadata["clipped_channels"]`` (:data:`FLAG_KEYS`) and read
back by :attr:`eegpt.Embeddings.flagged`. Imports NumPy only (``eegpt info`` reads them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The per-window metadata entries of the flags: one list of channel names per window each
FLAG_KEYS = ("flat_channels", "clipped_channels")
#: seconds; a stretch that only touches a window's edge (to rounding) does not flag it
_EDGE = 1e-9


@dataclass(eq=False)
class FlaggedSpans:
    """The stretches of a continuous recording over which channels are flat or clipped, as the
    signal checks judge and name them.

    Attributes
    ----------
    flat, clipped : dict of str to ndarray
        Per channel name (the recording's), its stretches: ``[start, end)`` rows in seconds
        from the first sample, float64 of shape (k, 2); channels without any are absent.
    """

    flat: dict[str, np.ndarray] = field(default_factory=dict)
    clipped: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, kind: str, name: str, spans: np.ndarray) -> None:
        """Add ``spans`` (seconds, shape (k, 2)) of channel ``name`` to ``kind`` ("flat" or
        "clipped")."""
        table = self.flat if kind == "flat" else self.clipped
        spans = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
        if len(spans):
            table[name] = np.concatenate([table[name], spans]) if name in table else spans

    def per_window(self, onsets: np.ndarray, seconds: float) -> dict[str, list[list[str]]]:
        """Each window's flat and clipped channels: ``{"flat_channels": [[names], ...],
        "clipped_channels": [...]}``, one list per window (empty where none), for windows of
        ``seconds`` starting at ``onsets`` (seconds, shape (n_windows,)). A window is over a
        stretch where they overlap by more than rounding."""
        onsets = np.asarray(onsets, dtype=np.float64)
        return {
            key: _names_per_window(table, onsets, seconds)
            for key, table in zip(FLAG_KEYS, (self.flat, self.clipped), strict=True)
        }


def _names_per_window(
    table: Mapping[str, np.ndarray], onsets: np.ndarray, seconds: float
) -> list[list[str]]:
    """The channels of ``table`` (name: spans in seconds, shape (k, 2)) with a stretch over
    each window ``[onset, onset + seconds)``, one list per window in ``table``'s order."""
    out: list[list[str]] = [[] for _ in onsets]
    for name, spans in table.items():
        hit = _windows_over(spans, onsets, seconds)
        for i in np.flatnonzero(hit).tolist():
            out[i].append(name)
    return out


def _windows_over(spans: np.ndarray, onsets: np.ndarray, seconds: float) -> np.ndarray:
    """Bool of shape (n_windows,): the windows ``[onset, onset + seconds)`` that overlap any
    of ``spans`` (``[start, end)`` in seconds, shape (k, 2))."""
    if not len(spans) or not len(onsets):
        return np.zeros(len(onsets), dtype=bool)
    order = np.argsort(onsets, kind="stable")
    ordered = onsets[order]
    # a window overlaps [a, b) where onset < b and onset + seconds > a
    first = np.searchsorted(ordered, spans[:, 0] - seconds + _EDGE, side="right")
    stop = np.searchsorted(ordered, spans[:, 1] - _EDGE, side="left")
    count = np.zeros(len(onsets) + 1, np.int64)
    np.add.at(count, first, 1)
    np.add.at(count, np.maximum(stop, first), -1)
    hit = np.empty(len(onsets), dtype=bool)
    hit[order] = np.cumsum(count[:-1]) > 0
    return hit


def recorded_flags(metadata: Mapping[str, Any], n: int) -> dict[str, list[list[str]]] | None:
    """The per-window flags of ``metadata`` (``n`` windows), or None where they were not
    recorded (files written before eegpt recorded them, epochs, the checks turned off)."""
    if not all(isinstance(metadata.get(key), list) for key in FLAG_KEYS):
        return None
    flags = {key: [list(v) for v in metadata[key]] for key in FLAG_KEYS}
    for key, per_window in flags.items():
        if len(per_window) != n:
            raise ValueError(f"metadata[{key!r}] needs one list per window ({n})")
    return flags


def flagged_mask(flags: Mapping[str, Sequence[Sequence[str]]], n: int) -> np.ndarray:
    """Bool of shape (n,): the windows with a flat or clipped channel in ``flags``."""
    mask = np.zeros(n, dtype=bool)
    for per_window in flags.values():
        mask |= np.array([bool(v) for v in per_window], dtype=bool).reshape(n)
    return mask
