"""GDF signals in units MNE's GDF reader does not scale (GDF 1's ``mV``, micro sign ``µV``,
``nV``, ``uv``; GDF 2's nV code) are converted to volts by eegpt, read whole or block by block.
The GDF files are written by hand (GDF 1.25 and 2.20 headers, int16 samples): MNE writes none.
"""

from __future__ import annotations

import logging
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from eegpt.gdf_files import gdf_units
from eegpt.recording_files import open_recording

SFREQ = 256
NAMES = ["Fz", "Cz", "Pz"]


def _write_gdf(path: Path, units: list, version: int, factors: list[float]) -> Path:
    """A GDF file of 4 s of 20 µV noise on 3 channels (``NAMES``), each in its ``units``
    entry (GDF 1: the dimension's text; GDF 2: its code), its values µV times its
    ``factors`` entry (1e-3 for mV); records of 1 s, int16 samples over a physical range of
    +-200 µV, no events."""
    ns, n_rec = len(NAMES), 4
    f = np.asarray(factors, float)[:, None]
    x = np.random.default_rng(5).standard_normal((ns, SFREQ * n_rec)) * 20 * f
    pmin, pmax, dmin, dmax = -200 * f[:, 0], 200 * f[:, 0], -32768, 32767
    digital = np.round((x - pmin[:, None]) / (pmax - pmin)[:, None] * (dmax - dmin) + dmin)
    digital = digital.astype("<i2")
    labels = b"".join(name.encode().ljust(16) for name in NAMES) + b" " * 80 * ns
    ranges = struct.pack(f"<{ns}d", *pmin) + struct.pack(f"<{ns}d", *pmax)
    rate_type = struct.pack(f"<{ns}i", *[SFREQ] * ns) + struct.pack(f"<{ns}i", *[3] * ns)
    if version == 1:
        head = b"GDF 1.25" + b"X" * 80 + b"R" * 80 + b"2026010112000000"
        head += struct.pack("<q", 256 * (ns + 1)) + b"\0" * 44
        head += struct.pack("<qIII", n_rec, 1, 1, ns)
        head += labels + b"".join(u.encode("latin-1").ljust(8) for u in units) + ranges
        head += struct.pack(f"<{ns}q", *[dmin] * ns) + struct.pack(f"<{ns}q", *[dmax] * ns)
        head += b" " * 80 * ns + rate_type + b"\0" * 32 * ns
    else:
        head = b"GDF 2.20" + b"X".ljust(66) + b"\0" * 14 + b"R".ljust(64) + b"\0" * 32
        head += struct.pack("<H", ns + 1) + b"\0" * 50
        head += struct.pack("<qIIHH", n_rec, 1, 1, ns, 0)
        head += labels + b" " * 6 * ns + struct.pack(f"<{ns}H", *units) + ranges
        head += struct.pack(f"<{ns}d", *[dmin] * ns) + struct.pack(f"<{ns}d", *[dmax] * ns)
        head += b"\0" * 80 * ns + rate_type + b"\0" * 32 * ns
    assert len(head) == 256 * (ns + 1)
    body = b"".join(
        digital[:, r * SFREQ : (r + 1) * SFREQ].tobytes() for r in range(n_rec)
    )  # record by record, each channel's samples in turn
    path.write_bytes(head + body + b"\x01\0\0\0" + struct.pack("<I", 0))  # no events
    return path


@pytest.mark.parametrize(
    ("version", "unit", "factor"),
    [
        (1, "mV", 1e-3),
        (1, "\u00b5V", 1.0),  # micro sign: MNE's GDF 1 reader matches 'uV' only
        (1, "nV", 1e3),
        (1, "uv", 1.0),
        (2, 4276, 1e3),  # nV: MNE warns it does not know the code, reads volts
    ],
)
@pytest.mark.parametrize("preload", [True, False])
def test_gdf_units_mne_does_not_scale_are_converted(tmp_path, caplog, version, unit, factor,
                                                    preload):  # fmt: skip
    """Such signals were read as volts: 1e3 (mV) to 1e9 (nV) times too large, read whole or
    block by block. The µV channel (``uV``; GDF 2's code) and GDF 2's mV beside them were
    and are read right."""
    beside = ["uV", "uV"] if version == 1 else [4275, 4274]
    path = _write_gdf(tmp_path / f"rec{version}.gdf", [unit, *beside], version,
                      [factor, 1.0, 1.0 if version == 1 else 1e-3])  # fmt: skip
    assert gdf_units(path)[0] == {4276: "nV"}.get(unit, unit)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.INFO):
        warnings.simplefilter("always")
        raw, _ = open_recording(path, preload=preload, verbose=True)
        data = raw.get_data()
    assert data.std(axis=1) * 1e6 == pytest.approx([20, 20, 20], rel=0.1)  # µV each
    assert f"1 channel ({NAMES[0]}) in " in caplog.text
    assert "as the GDF header states, which MNE reads at another scale: converted" in caplog.text
    assert not [w for w in caught if "Unsupported physical dimension" in str(w.message)]


def test_gdf_2_millivolts_and_volts_are_left_as_mne_reads_them(tmp_path, caplog):
    """GDF 2's mV code MNE scales itself, and V (a code MNE warns of) is read as volts:
    nothing is converted, and MNE's warning of V is left out."""
    path = _write_gdf(tmp_path / "mv.gdf", [4274] * 3, 2, [1e-3] * 3)
    with caplog.at_level(logging.INFO):
        raw, _ = open_recording(path, preload=True, verbose=True)
    assert raw.get_data().std(axis=1) * 1e6 == pytest.approx([20] * 3, rel=0.1)
    assert "converted to volts" not in caplog.text
    path = _write_gdf(tmp_path / "v.gdf", [4256] * 3, 2, [1e-6] * 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw, _ = open_recording(path, preload=True, verbose=False)
    assert raw.get_data().std(axis=1) * 1e6 == pytest.approx([20] * 3, rel=0.1)
    assert not [w for w in caught if "Unsupported physical dimension" in str(w.message)]
