"""High-level API: a recording (path, ``mne.io.Raw``, ``mne.Epochs`` or array) in, embeddings out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eegpt import __version__
from eegpt.channels import map_channels
from eegpt.engine import InferenceEngine, Precision
from eegpt.io import as_recording
from eegpt.model import EEGPT
from eegpt.outputs import Embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare


def embed(
    model: EEGPT,
    data: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: str = "V",
    rename: dict[str, str] | None = None,
    on_unknown: str = "drop",
    preprocessing: PreprocessingConfig | None = None,
    window_seconds: float | None = None,
    overlap: float | None = None,
    average_reference: bool | None = None,
    resample: str | None = None,
    tail: str | None = None,
    device: str | None = None,
    precision: Precision = "float32",
    batch_size: int = 64,
    engine: InferenceEngine | None = None,
    progress: bool = False,
    verbose: bool | None = None,
) -> Embeddings:
    """Embed one recording with EEGPT.

    Parameters
    ----------
    model : EEGPT
        A loaded model (see :func:`eegpt.load_model`).
    data : str | Path | mne.io.BaseRaw | mne.Epochs | ndarray
        The recording. Arrays are ``[C, T]`` (continuous) or ``[n_epochs, C, T]`` and need
        ``ch_names``, ``sfreq`` and ``units``.
    ch_names, sfreq, units
        For arrays only: channel names, sampling rate in Hz, and amplitude unit
        (``"V"``, ``"mV"`` or ``"uV"``).
    rename : dict | None
        Explicit ``{input name: vocabulary name}`` overrides for the channel mapping.
    on_unknown : {"drop", "raise"}
        What to do with channels that are not in the EEGPT vocabulary.
    preprocessing : PreprocessingConfig | None
        Resampling, units, reference and windowing; the keyword arguments ``window_seconds``,
        ``overlap``, ``average_reference``, ``resample`` and ``tail`` override single fields.
    device, precision, batch_size
        Inference settings (see :class:`eegpt.engine.InferenceEngine`); ignored when ``engine``
        is given.
    progress : bool
        Show a progress bar over windows.

    Returns
    -------
    Embeddings
        ``data`` ``[n_windows, N, S, D]``, window ``onsets`` in seconds and provenance metadata.
    """
    recording = as_recording(data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose)
    mapping = map_channels(
        recording.ch_names, on_unknown=on_unknown, rename=rename, verbose=verbose
    )
    config = _preprocessing_config(
        preprocessing,
        window_seconds=window_seconds,
        overlap=overlap,
        average_reference=average_reference,
        resample=resample,
        tail=tail,
    )
    windows = prepare(recording, mapping, config, verbose=verbose)
    if engine is None:
        engine = InferenceEngine(model, device=device, precision=precision, batch_size=batch_size)
    data_out = engine.encode(
        windows.data, mapping.chan_ids, progress=progress, desc=Path(recording.source).name
    )
    return Embeddings(
        data_out, np.asarray(windows.onsets), provenance(model, recording, windows, engine)
    )


def provenance(model: EEGPT, recording, windows, engine: InferenceEngine) -> dict[str, Any]:
    """JSON-serialisable record of everything that determined a set of embeddings."""
    return {
        "source": recording.source,
        "sfreq_in": float(recording.sfreq),
        "channels": windows.mapping.to_dict(),
        "preprocessing": windows.config.to_dict(),
        "model": model.config.to_dict(),
        "checkpoint": _checkpoint_record(model),
        "precision": engine.precision,
        "device": str(engine.device),
        "eegpt_version": __version__,
    }


def _checkpoint_record(model: EEGPT) -> dict[str, Any]:
    """The model's checkpoint provenance, with ``pretrained`` lifted out of its notes.

    ``pretrained`` is False for generated weights (``eegpt demo``), None when unknown.
    """
    info = dict(getattr(model, "checkpoint_info", None) or {})
    info["pretrained"] = (info.get("notes") or {}).get("pretrained")
    return info


def _preprocessing_config(
    base: PreprocessingConfig | None, **overrides: Any
) -> PreprocessingConfig:
    base = base or PreprocessingConfig()
    changes = {k: v for k, v in overrides.items() if v is not None}
    if not changes:
        return base
    return PreprocessingConfig.from_dict({**base.to_dict(), **changes})
