"""The stored form of a :class:`~eegpt.preprocessing.PreprocessingConfig`, as data.

A probe.json, a corpus run's spec and an output's metadata record the preprocessing as a dict
(:meth:`~eegpt.preprocessing.PreprocessingConfig.to_dict`). What such a dict means by a field
it lacks (:data:`STORED_DEFAULTS`, :func:`stored_defaults`) and the line ``eegpt info`` shows
of it (:func:`describe`) live here: this module imports neither SciPy nor MNE (nor NumPy), so
``eegpt info RUN_FOLDER`` and the comparison of a resumed run's settings stay light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FIELD_DEFAULTS", "STORED_DEFAULTS", "describe", "stored_defaults"]

#: Every field of :class:`~eegpt.preprocessing.PreprocessingConfig` with its default (that
#: class's defaults; a test keeps the two the same).
FIELD_DEFAULTS: dict[str, Any] = {
    "sfreq": 256.0,
    "window_seconds": 4.0,
    "overlap": 0.0,
    "resample": "polyphase",
    "average_reference": True,
    "scale": 1e3,
    "tail": "drop",
    "detrend": "none",
}

# What a stored preprocessing dict (a probe.json, a corpus run's spec, an output's metadata)
# means by a field it lacks, where that differs from today's default. average_reference was
# off by default until eegpt turned it on (as in pretraining); to_dict has always recorded it,
# but a dict without it was written, or meant, with the old default: it stays off.
STORED_DEFAULTS: dict[str, Any] = {"average_reference": False}


def stored_defaults() -> dict[str, Any]:
    """Every field of a :class:`~eegpt.preprocessing.PreprocessingConfig` with the value a
    stored dict that lacks it stands for (:data:`STORED_DEFAULTS`, else the default)."""
    return {**FIELD_DEFAULTS, **STORED_DEFAULTS}


def describe(d: Mapping[str, Any]) -> str:
    """The ``eegpt info`` line of a stored
    :meth:`~eegpt.preprocessing.PreprocessingConfig.to_dict` (of an embeddings file, a corpus
    folder or a probe): every setting as ``name value``. ``average_reference`` is always
    shown: a dict without it (written before it was recorded) reads as off
    (:data:`STORED_DEFAULTS`), which keeps the recorded reference, unlike today's default."""
    shown = {k: f"{v}" for k, v in d.items()}
    if "average_reference" not in d:
        shown["average_reference"] = (
            f"{STORED_DEFAULTS['average_reference']} (not recorded: an older file)"
        )
    return "  preprocessing: " + ", ".join(f"{k} {v}" for k, v in shown.items())
