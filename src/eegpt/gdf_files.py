"""GDF files' physical dimensions, which MNE's GDF reader scales to volts only in part.

MNE's reader takes a GDF 1 signal to volts only where its physical dimension begins ``uV``
(``mV``, a micro sign ``µV``, ``nV`` or ``uv`` are read as volts: 1e3 to 1e9 times too large),
and a GDF 2 signal only where its dimension code is µV (4275) or mV (4274) (nV, 4276, is read
as volts, with a warning that it assumes the signal dimensionless). :func:`convert_gdf_units`
scales such signals to volts as :func:`eegpt.edf_files.convert_unknown_volts` does an EDF's,
by the unit tables of :mod:`eegpt.edf_files`.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import mne
import numpy as np

from eegpt._logging import count, few, log
from eegpt._logging import warn as _warn
from eegpt.edf_files import edf_unit_scale, scaled_from, unit_text

#: GDF 2 physical dimension codes of volts (biosig's units.csv: 4256 is V, its low 5 bits a
#: decimal prefix, 18 milli, 19 micro, 20 nano) by the unit text :mod:`eegpt.edf_files`'s
#: tables know
GDF2_VOLT_CODES = {4256: "V", 4274: "mV", 4275: "\u00b5V", 4276: "nV"}

#: GDF 2 dimension codes MNE's reader scales (µV, mV) or takes as dimensionless without a word
_MNE_GDF2_CODES = (4274, 4275, 512, 0)


def gdf_units(path: str | Path) -> list[str] | None:
    """Each signal's physical dimension as the GDF file ``path``'s header states it, in the
    header's order: GDF 1's 8-character field (Latin-1, spaces and NUL bytes stripped), GDF
    2's dimension code as its unit (:data:`GDF2_VOLT_CODES`), ``"code N"`` for another code.
    None where the file is no GDF file eegpt can read the header of."""
    found = _header_units(path)
    return None if found is None else found[1]


def _header_units(path: str | Path) -> tuple[float, list[str]] | None:
    """``(version, units)`` of the GDF file ``path`` (:func:`gdf_units`), or None."""
    try:
        with open(path, "rb") as fh:
            fixed = fh.read(256)
            if len(fixed) < 256 or not fixed.startswith(b"GDF "):
                return None
            version = float(fixed[4:8].decode("ascii"))
            if version < 1.9:
                (n,) = struct.unpack("<I", fixed[252:256])
                fh.seek(256 + 96 * n)  # past the labels (16) and transducers (80)
                raw = fh.read(8 * n)
                if len(raw) < 8 * n:
                    return None
                fields = [raw[8 * k : 8 * k + 8].decode("latin-1") for k in range(n)]
                return version, [f.replace("\x00", " ").strip() for f in fields]
            (n,) = struct.unpack("<H", fixed[252:254])
            fh.seek(256 + 102 * n)  # past labels (16), transducers (80), dimensions (6)
            raw = fh.read(2 * n)
            if len(raw) < 2 * n:
                return None
            codes = struct.unpack(f"<{n}H", raw)
    except (OSError, ValueError, struct.error):
        return None
    return version, [GDF2_VOLT_CODES.get(code, f"code {code}") for code in codes]


def mne_gdf_unit_warning(path: str | Path) -> re.Pattern[str] | None:
    """MNE's warning that a GDF 2 signal of ``path`` has a dimension code it does not know
    ("Unsupported physical dimension for channel N (assuming dimensionless)"), for the
    signals in volts that :func:`convert_gdf_units` scales (or V, read right): eegpt says
    what it did instead. None where there is none to leave out."""
    units = gdf_units(path) or []
    known = {v for k, v in GDF2_VOLT_CODES.items() if k not in _MNE_GDF2_CODES}
    mine = [str(k) for k, unit in enumerate(units) if unit in known]
    if not mine:
        return None
    return re.compile(rf"Unsupported physical dimension for channel ({'|'.join(mine)}) \(")


def convert_gdf_units(raw: mne.io.BaseRaw, path: Path, verbose: Any = None) -> list[str]:
    """Scale to volts the signals of a GDF file ``raw`` (read by MNE, lazily or loaded) that
    MNE read at another scale than their physical dimension's (:func:`gdf_units`:
    ``mV``, ``µV``, ``nV``, ``uv`` in GDF 1; nV in GDF 2), by the unit's size over the factor
    MNE applied; logs what it did and returns the channels converted. Channels typed stim
    (codes) are left as read. Where MNE's factors cannot be found (another MNE), nothing is
    converted and a warning says to rescale."""
    found = _header_units(path)
    if found is None:
        return []
    version, units = found
    extras = getattr(raw, "_raw_extras", None) or [{}]
    gains = extras[0].get("units") if len(extras) == 1 else None
    sel = extras[0].get("sel")
    types = raw.get_channel_types()
    stated: dict[str, str] = {}
    factors: dict[str, float] = {}
    usable = isinstance(gains, np.ndarray) and len(gains) == len(raw.ch_names)
    usable = usable and sel is not None and len(sel) == len(raw.ch_names)
    for k, name in enumerate(raw.ch_names):
        index = int(sel[k]) if usable else k
        if types[k] == "stim" or index >= len(units):
            continue
        scale = edf_unit_scale(units[index])
        mne_scale = _mne_scale(version, units[index])
        if usable and isinstance(gains, np.ndarray):  # the factor MNE took, as it applies it
            mne_scale = float(gains[k])
        if scale is not None and not np.isclose(scale, mne_scale, rtol=1e-9, atol=0):
            stated[name] = units[index]
            factors[name] = scale / mne_scale
    if not stated:
        return []
    names = list(stated)
    if not usable:
        _warn(
            f"{path}: {few(names)} in {unit_text(stated[names[0]])} as the GDF header states, "
            "which MNE reads at another scale, and which eegpt could not convert with this "
            f"MNE: rescale the samples as read by {factors[names[0]]:g} (--rescale)."
        )
        return []
    assert isinstance(gains, np.ndarray)
    for k, name in enumerate(raw.ch_names):
        if name in factors:
            if raw.preload:
                raw._data[k] *= factors[name]
            else:
                gains[k] *= factors[name]
    scaled_from(raw, names, {u: edf_unit_scale(u) for u in stated.values()}, stated)
    shown = sorted(set(stated.values()))
    log(
        f"{path}: {count(len(names), 'channel')} ({few(names)}) in "
        f"{', '.join(unit_text(u) for u in shown)} as the GDF header states, which MNE reads "
        f"at another scale: converted to volts (x"
        f"{', x'.join(dict.fromkeys(f'{factors[n]:g}' for n in names))}). A --rescale given "
        "multiplies the samples so converted: give none for this unit.",
        verbose,
    )
    return names


def _mne_scale(version: float, unit: str) -> float:
    """The factor MNE's GDF reader takes a signal in ``unit`` (:func:`gdf_units`) of a GDF
    file of ``version`` to volts by: in GDF 1, 1e-6 for a unit beginning ``uV``, else 1 (read
    as volts); in GDF 2, mV's and µV's, else 1."""
    if version < 1.9:
        return 1e-6 if unit[:2] == "uV" else 1.0
    return {"mV": 1e-3, "\u00b5V": 1e-6}.get(unit, 1.0)
