"""Window predictions grouped into scoring epochs: :func:`scoring_epochs`.

A probe predicts each window of a recording, a hypnogram scores 30 s epochs:
:func:`scoring_epochs` gives each epoch the mean probabilities of the windows that overlap it,
weighted by the seconds they overlap it, and the seconds they cover (``eegpt probe predict
--epoch-seconds``).
"""

from __future__ import annotations

import numpy as np


def scoring_epochs(
    proba: np.ndarray,
    onsets: np.ndarray,
    window_seconds: float,
    epoch_seconds: float,
    start_seconds: float = 0.0,
    use: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window predictions grouped into consecutive scoring epochs (a hypnogram's 30 s epochs).

    Epoch ``k`` spans ``[start_seconds + k * epoch_seconds, start_seconds + (k + 1) *
    epoch_seconds)``. Its probabilities are the mean of those of the windows that overlap it,
    each weighted by the seconds it overlaps the epoch: a window that straddles two epochs
    counts in both, by its share of each. The epochs run from the first (``k = 0``) to the
    last that a window overlaps; windows (or their parts) before ``start_seconds`` count in
    none.

    Parameters
    ----------
    proba : ndarray, shape (n_windows, n_classes)
        Each window's class probabilities (:meth:`~eegpt.probe.EEGPTProbe.predict_proba`).
    onsets : ndarray, shape (n_windows,)
        Each window's onset in seconds (:meth:`~eegpt.probe.EEGPTProbe.window_onsets`).
    window_seconds : float
        The windows' length in seconds.
    epoch_seconds : float
        The scoring epochs' length in seconds (> 0).
    start_seconds : float
        The first epoch's onset in seconds, on the time base of ``onsets``.
    use : ndarray of bool, shape (n_windows,) | None
        The windows to count (e.g. those over no bad annotation); None: all.

    Returns
    -------
    epoch_onsets : ndarray of float64, shape (n_epochs,)
        Each epoch's onset in seconds.
    covered : ndarray of float64, shape (n_epochs,)
        The seconds of each epoch that the windows counted cover (``epoch_seconds`` for an
        epoch within them; less at the end of a recording; 0 where no window counted).
    epoch_proba : ndarray of float64, shape (n_epochs, n_classes)
        Each epoch's weighted mean probabilities; NaN where ``covered`` is 0.
    """
    proba = np.asarray(proba, dtype=np.float64)
    onsets = np.asarray(onsets, dtype=np.float64)
    if proba.ndim != 2 or onsets.shape != (len(proba),):
        raise ValueError(
            f"proba must be [n_windows, n_classes] with one onset per window, got proba "
            f"{proba.shape} and onsets {onsets.shape}"
        )
    for name, value in (("window_seconds", window_seconds), ("epoch_seconds", epoch_seconds)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    use = np.ones(len(proba), bool) if use is None else np.asarray(use, bool)
    ends = onsets + window_seconds
    # epochs in epoch units from the start; a thousandth of a microsecond's slack for rounding
    first = np.floor((onsets - start_seconds) / epoch_seconds + 1e-9).astype(np.int64)
    last = np.ceil((ends - start_seconds) / epoch_seconds - 1e-9).astype(np.int64) - 1
    n_epochs = int(max(last.max(initial=-1) + 1, 0))
    weights = np.zeros(n_epochs)
    sums = np.zeros((n_epochs, proba.shape[1]))
    pieces = []  # (epoch, start, end) of each counted window's part in each epoch it overlaps
    for j in range(int(max((last - first).max(initial=-1) + 1, 0))):  # a window's j-th epoch
        k = first + j
        at = (k <= last) & (k >= 0)
        lo = np.maximum(onsets[at], start_seconds + k[at] * epoch_seconds)
        hi = np.minimum(ends[at], start_seconds + (k[at] + 1) * epoch_seconds)
        share = np.where(use[at], np.clip(hi - lo, 0.0, None), 0.0)
        np.add.at(weights, k[at], share)
        np.add.at(sums, k[at], share[:, None] * proba[at])
        pieces.append(np.stack([k[at], lo, hi])[:, share > 0])
    # the seconds covered: the union of the pieces in each epoch (overlapping windows count
    # once); sorted by start, a piece adds what lies beyond the furthest end before it, and
    # the epochs follow one another, so that end may run over all the pieces before
    covered = np.zeros(n_epochs)
    if pieces and (both := np.concatenate(pieces, axis=1)).size:
        k, lo, hi = both[:, np.argsort(both[1], kind="stable")]
        reach = np.concatenate([[-np.inf], np.maximum.accumulate(hi)[:-1]])
        np.add.at(covered, k.astype(np.int64), np.clip(hi - np.maximum(lo, reach), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        epoch_proba = np.where(weights[:, None] > 0, sums / weights[:, None], np.nan)
    epoch_onsets = start_seconds + np.arange(n_epochs) * float(epoch_seconds)
    return epoch_onsets, covered, epoch_proba
