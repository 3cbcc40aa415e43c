"""Reading EEG recordings and bringing them into one checked, in-memory form.

:func:`read_recording` opens any file MNE-Python reads. :func:`as_recording` turns a path, an
MNE ``Raw`` or ``Epochs`` object, or a NumPy array into a :class:`Recording`: float64 data in
volts plus channel names and sampling rate. The checks here never alter data; they refuse input
that cannot be used as it is (duplicate names, NaN/Inf samples, no EEG channels, a non-real
dtype) and say how to fix it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import mne
import numpy as np

from eegpt._logging import log as _log
from eegpt._logging import warn as _warn

__all__ = ["UNITS", "Recording", "as_recording", "read_recording"]

UNITS: dict[str, float] = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "µV": 1e-6, "μV": 1e-6}
"""Accepted ``units`` of array input and their size in volts (``µ`` micro sign or Greek mu)."""

PathLike = str | os.PathLike


@dataclass
class Recording:
    """EEG data in volts with the channel names and sampling rate needed to use it.

    Parameters
    ----------
    data : ndarray of float64, shape (n_channels, n_times) or (n_epochs, n_channels, n_times)
        Samples in volts. Continuous recordings are 2-D; epoched data (from ``mne.Epochs`` or a
        3-D array) are 3-D, each epoch being one model window later on.
    ch_names : list of str
        One unique name per channel (axis -2 of ``data``).
    sfreq : float
        Sampling rate in Hz.
    source : str
        Where the data came from: a file path, ``"<Raw>"``, ``"<Epochs>"`` or ``"<array>"``.
    ch_types : list of str | None
        MNE channel types, when known.
    onsets : ndarray of float64, shape (n_epochs,) | None
        For epoched data, each epoch's start time in seconds, when known.

    Raises
    ------
    ValueError
        On a non-real or non-float dtype, wrong dimensions, no channels, a channel-name count
        that does not match the data, duplicate names, a bad ``sfreq`` or non-finite samples.
    """

    data: np.ndarray
    ch_names: list[str]
    sfreq: float
    source: str = "<array>"
    ch_types: list[str] | None = None
    onsets: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        data = np.asarray(self.data)
        if not np.issubdtype(data.dtype, np.floating):
            raise ValueError(
                f"{self.source}: EEG data must be real floating point, got dtype {data.dtype}; "
                "convert integers with .astype(float) and give their unit, take the real part "
                "of complex data only if that is meaningful"
            )
        self.data = data.astype(np.float64, copy=False)
        if self.data.ndim not in (2, 3):
            raise ValueError(
                f"{self.source}: data must be 2-D (n_channels, n_times) or 3-D "
                f"(n_epochs, n_channels, n_times), got shape {self.data.shape}"
            )
        self.ch_names = [str(name) for name in self.ch_names]
        if self.data.shape[-2] == 0 or not self.ch_names:
            raise ValueError(f"{self.source}: no EEG channels (data shape {self.data.shape})")
        if self.data.shape[-1] == 0 or self.data.shape[0] == 0:
            raise ValueError(f"{self.source}: no samples (data shape {self.data.shape})")
        if len(self.ch_names) != self.data.shape[-2]:
            raise ValueError(
                f"{self.source}: {len(self.ch_names)} channel names for "
                f"{self.data.shape[-2]} channels (data shape {self.data.shape}, channels on "
                "axis -2)"
            )
        _check_unique(self.ch_names, self.source)
        self.sfreq = float(self.sfreq)
        if not np.isfinite(self.sfreq) or self.sfreq <= 0:
            raise ValueError(
                f"{self.source}: sfreq must be a positive number of Hz, got {self.sfreq}"
            )
        if self.ch_types is not None:
            self.ch_types = list(self.ch_types)
            if len(self.ch_types) != len(self.ch_names):
                raise ValueError(
                    f"{self.source}: {len(self.ch_types)} channel types for "
                    f"{len(self.ch_names)} channels"
                )
        if self.onsets is not None:
            self.onsets = np.asarray(self.onsets, dtype=np.float64)
            if self.data.ndim != 3 or self.onsets.shape != (self.data.shape[0],):
                raise ValueError(
                    f"{self.source}: onsets must have one entry per epoch, got shape "
                    f"{self.onsets.shape} for data of shape {self.data.shape}"
                )
        _check_finite(self.data, self.ch_names, self.source)

    @property
    def n_channels(self) -> int:
        return self.data.shape[-2]

    @property
    def n_times(self) -> int:
        """Samples per channel (per epoch for epoched data)."""
        return self.data.shape[-1]

    @property
    def is_epoched(self) -> bool:
        return self.data.ndim == 3

    @property
    def duration(self) -> float:
        """Length in seconds (of one epoch for epoched data)."""
        return self.n_times / self.sfreq


def _check_unique(ch_names: list[str], source: str) -> None:
    dupes = sorted(name for name, count in Counter(ch_names).items() if count > 1)
    if dupes:
        raise ValueError(
            f"{source}: duplicate channel names {dupes}; every channel needs a unique name "
            "(rename them, e.g. raw.rename_channels, or drop the copies)"
        )


def _check_finite(data: np.ndarray, ch_names: list[str], source: str) -> None:
    if np.isfinite(data).all():  # fast path, no per-channel work
        return
    bad = ~np.isfinite(data)
    per_channel = bad.sum(axis=tuple(i for i in range(data.ndim) if i != data.ndim - 2))
    detail = ", ".join(
        f"{ch_names[i]} ({int(n)} samples)" for i, n in enumerate(per_channel) if n > 0
    )
    raise ValueError(
        f"{source}: {int(per_channel.sum())} non-finite (NaN/Inf) samples in channel(s) {detail}. "
        "EEGPT needs finite data: interpolate those channels (e.g. mark them bad and call "
        "raw.interpolate_bads()), drop them, or crop the affected time span."
    )


def read_recording(
    path: PathLike, *, preload: bool = True, verbose: bool | str | int | None = None
) -> mne.io.BaseRaw:
    """Open an EEG file with MNE-Python (``mne.io.read_raw``, dispatching on the extension).

    Parameters
    ----------
    path : str | path-like
        An ``.edf``, ``.bdf``, ``.fif``, ``.vhdr``, ``.set``, ... file (or folder for the formats
        stored as folders).
    preload : bool
        Load the data into memory.
    verbose : bool | str | int | None
        Passed to MNE.

    Returns
    -------
    raw : mne.io.BaseRaw
        The recording; ``raw.get_data()`` is in volts.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If MNE cannot read the file (unsupported extension, corrupt file, ...); the message names
        the file and MNE's reason, and MNE's exception is chained.

    Warns
    -----
    RuntimeWarning
        For EDF/BDF/GDF files whose channels have different sampling rates: MNE upsamples the
        slower channels to the fastest rate, which this warning names.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"EEG file not found: {path}")
    try:
        raw = mne.io.read_raw(path, preload=preload, verbose=verbose)
    except MemoryError:
        raise
    except Exception as err:
        if "Unsupported file type" in str(err):
            reason = (
                f"unsupported file type {path.suffix!r} ({err}); formats MNE reads include .edf, "
                ".bdf, .gdf, .fif, .vhdr, .set, .cnt, .mff"
            )
        else:
            reason = f"{type(err).__name__}: {err}"
        raise ValueError(f"could not read EEG file {path}: {reason}") from err
    _warn_mixed_rates(raw, path)
    return raw


def _warn_mixed_rates(raw: mne.io.BaseRaw, path: Path) -> None:
    """Warn when an EDF-like file stored channels at different rates (MNE upsampled them)."""
    try:  # private MNE reader details: skip the check quietly if they change
        extras = raw._raw_extras[0]
        n_samps = np.asarray(extras["n_samps"])[np.asarray(extras["sel"])]
        record_length = float(np.atleast_1d(extras["record_length"])[0])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return
    if len(n_samps) != len(raw.ch_names) or record_length <= 0:
        return
    rates = n_samps / record_length
    slow = [
        f"{name} ({rate:g} Hz)"
        for name, rate in zip(raw.ch_names, rates, strict=True)
        if rate < raw.info["sfreq"]
    ]
    if slow:
        _warn(
            f"{path}: channels are stored at different sampling rates; MNE upsampled "
            f"{', '.join(slow)} to {raw.info['sfreq']:g} Hz by interpolation, so they contain no "
            "information above their original Nyquist frequency. Exclude them (e.g. "
            "mne.io.read_raw(..., exclude=[...]) or picks=) if that matters."
        )


def as_recording(
    obj: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Literal["V", "mV", "uV", "µV"] = "V",
    picks: str | Sequence[str] | Sequence[int] | None = "eeg",
    verbose: bool | str | int | None = None,
) -> Recording | list[Recording]:
    """Turn a path, an MNE object or an array into a checked :class:`Recording` (volts).

    Parameters
    ----------
    obj : path-like | mne.io.BaseRaw | mne.BaseEpochs | ndarray | Recording | list
        The data. A path is read with :func:`read_recording`. ``Raw`` gives a continuous
        recording with ``data`` of shape (n_channels, n_times). ``Epochs`` gives an epoched one
        with ``data`` of shape (n_epochs, n_channels, n_times) and ``onsets`` in seconds taken
        from the events (``events[:, 0] / sfreq + tmin``, i.e. in the events' time base, which
        includes ``raw.first_samp`` for FIF data; left ``None`` for the placeholder events
        0, 1, 2, ... of ``EpochsArray``). An array must be (n_channels, n_times) or
        (n_epochs, n_channels, n_times) and needs ``ch_names`` and ``sfreq``. A ``Recording`` is
        returned unchanged, and a list or tuple of paths/MNE objects gives a list.
    ch_names : sequence of str | None
        Channel names of array input (one per row); must be None for other input.
    sfreq : float | None
        Sampling rate of array input in Hz; must be None for other input.
    units : ``"V"`` | ``"mV"`` | ``"uV"`` | ``"µV"``
        Unit of array input, converted to volts. MNE objects are always in volts, so it must be
        ``"V"`` for them.
    picks : str | list of str | list of int | None
        Channels of MNE input: a channel type (default ``"eeg"``; EDF readers type every signal
        as EEG, non-EEG names are then dropped later by :func:`~eegpt.channels.map_channels`),
        ``"data"``, ``"all"``/None, or channel names or indices (kept in recording order).
        Channels in ``info["bads"]`` are left out of type-based picks, with a warning.
    verbose : bool | str | int | None
        Passed to MNE; True also logs a summary to the ``"eegpt"`` logger.

    Returns
    -------
    Recording | list of Recording
        A list exactly when ``obj`` is a list or tuple of paths / MNE objects.

    Raises
    ------
    ValueError
        On missing or inconsistent ``ch_names``/``sfreq``, an unknown unit, and the checks of
        :class:`Recording` (duplicate names, NaN/Inf samples, no channels, non-float dtype).
    TypeError
        On an unsupported input type.
    """
    if isinstance(obj, (list, tuple)) and obj and all(_is_container_item(o) for o in obj):
        kwargs = dict(ch_names=ch_names, sfreq=sfreq, units=units, picks=picks, verbose=verbose)
        return [as_recording(o, **kwargs) for o in obj]  # type: ignore[misc]
    if isinstance(obj, Recording):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        _require_array_args_absent(ch_names, sfreq, units, str(obj))
        raw = read_recording(obj, preload=True, verbose=verbose)
        return _from_mne(raw, picks, source=str(obj), verbose=verbose)
    if isinstance(obj, (mne.io.BaseRaw, mne.BaseEpochs)):
        source = "<Raw>" if isinstance(obj, mne.io.BaseRaw) else "<Epochs>"
        filenames = getattr(obj, "filenames", None) or [getattr(obj, "filename", None)]
        if filenames[0] is not None:
            source = str(filenames[0])
        _require_array_args_absent(ch_names, sfreq, units, source)
        return _from_mne(obj, picks, source=source, verbose=verbose)
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") or isinstance(obj, (list, tuple)):
        return _from_array(obj, ch_names, sfreq, units, verbose)
    raise TypeError(
        f"cannot make an EEG recording from {type(obj).__name__}; pass a file path, an "
        "mne.io.Raw, an mne.Epochs or a NumPy array with ch_names and sfreq"
    )


def _is_container_item(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike, mne.io.BaseRaw, mne.BaseEpochs, Recording))


def _require_array_args_absent(
    ch_names: Sequence[str] | None, sfreq: float | None, units: str, source: str
) -> None:
    given = [
        name for name, value in (("ch_names", ch_names), ("sfreq", sfreq)) if value is not None
    ]
    if given:
        raise ValueError(
            f"{source}: {' and '.join(given)} apply to array input only; MNE objects and files "
            "carry their own (use raw.rename_channels / raw.resample to change them)"
        )
    if units != "V":
        raise ValueError(
            f"{source}: units={units!r} applies to array input only; MNE returns data in volts. "
            "If a file is mis-scaled, fix it with raw.apply_function(lambda x: x * factor)."
        )


def _pick_indices(info: mne.Info, picks: Any, source: str) -> list[int]:
    """Channel indices for ``picks`` in recording order; bads excluded from type picks."""
    by_name = isinstance(picks, str) and picks in info["ch_names"]
    typed = picks is None or (isinstance(picks, str) and not by_name)
    if picks is None:
        picks = "all"
    try:
        by_type = mne.channel_indices_by_type(info, picks=picks)
    except ValueError as err:
        raise ValueError(f"{source}: invalid picks={picks!r}: {err}") from err
    idx = sorted(int(i) for indices in by_type.values() for i in indices)
    if typed and info["bads"]:
        bads = [info["ch_names"][i] for i in idx if info["ch_names"][i] in info["bads"]]
        if bads:
            _warn(
                f"{source}: channel(s) marked bad were left out: {bads}. To keep them, repair "
                "them first (raw.interpolate_bads()) or pick them by name."
            )
            idx = [i for i in idx if info["ch_names"][i] not in bads]
    if not idx:
        types = sorted(set(info.get_channel_types()))
        raise ValueError(
            f"{source}: no channels selected by picks={picks!r} (the recording has "
            f"{len(info['ch_names'])} channel(s) of type(s) {types}). If EEG channels are typed "
            "otherwise, set their type with raw.set_channel_types or pass picks='all'."
        )
    return idx


def _from_mne(
    inst: mne.io.BaseRaw | mne.BaseEpochs, picks: Any, source: str, verbose: Any
) -> Recording:
    idx = _pick_indices(inst.info, picks, source)
    names = [inst.ch_names[i] for i in idx]
    all_types = inst.get_channel_types()
    types = [all_types[i] for i in idx]
    sfreq = float(inst.info["sfreq"])
    data = inst.get_data(picks=idx)
    onsets = None
    if isinstance(inst, mne.BaseEpochs):
        events = inst.events[:, 0]
        if not np.array_equal(events, np.arange(len(events))):  # EpochsArray placeholder
            onsets = events / sfreq + inst.tmin
    rec = Recording(data, names, sfreq, source=source, ch_types=types, onsets=onsets)
    _log(_describe(rec), verbose)
    return rec


def _from_array(
    obj: Any, ch_names: Sequence[str] | None, sfreq: float | None, units: str, verbose: Any
) -> Recording:
    if units not in UNITS:
        raise ValueError(f"units must be one of {list(UNITS)}, got {units!r}")
    if ch_names is None or sfreq is None:
        missing = [n for n, v in (("ch_names", ch_names), ("sfreq", sfreq)) if v is None]
        raise ValueError(
            f"array input needs {' and '.join(missing)}: as_recording(array, ch_names=[...], "
            "sfreq=..., units='uV')"
        )
    if isinstance(ch_names, str):
        raise ValueError(f"ch_names must be a list of names, not the single str {ch_names!r}")
    data = np.asarray(obj)
    if np.issubdtype(data.dtype, np.floating) and UNITS[units] != 1.0:
        data = data.astype(np.float64) * UNITS[units]  # new array; the input is never modified
    rec = Recording(data, list(ch_names), float(sfreq), source="<array>")
    _log(_describe(rec) + f" (converted from {units})", verbose)
    return rec


def _describe(rec: Recording) -> str:
    shape = "x".join(str(s) for s in rec.data.shape)
    kind = "epochs" if rec.is_epoched else "continuous"
    return (
        f"Recording {rec.source}: {kind} {shape} samples, {rec.n_channels} channel(s) at "
        f"{rec.sfreq:g} Hz ({rec.duration:.3f} s{' per epoch' if rec.is_epoched else ''})"
    )
