"""EDF signals in nanovolts (physical dimension ``nV``), which MNE does not know and reads as
volts, are converted to volts by eegpt, read whole or block by block; a blank dimension,
whose scale is unknown, is still warned of."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

edfio = pytest.importorskip("edfio")

from eegpt.io import as_recording  # noqa: E402
from eegpt.preprocessing import prepare  # noqa: E402
from eegpt.recording_files import open_recording  # noqa: E402

NAMES = ["Fp1", "Fp2", "C3", "C4", "O1", "O2", "Cz", "Pz"]
SFREQ = 256


def _write(path: Path, unit: str, factor: float) -> Path:
    """An EDF file of 10 s of 20 µV noise on 8 channels, in ``unit`` (µV times ``factor``)."""
    x = np.random.default_rng(4).standard_normal((8, SFREQ * 10)) * 20
    signals = [
        edfio.EdfSignal(x[i] * factor, sampling_frequency=SFREQ, label=f"EEG {name}",
                        physical_dimension=unit, physical_range=(-200 * factor, 200 * factor))
        for i, name in enumerate(NAMES)
    ]  # fmt: skip
    edfio.Edf(signals).write(path)
    return path


def _prepared(path: Path) -> tuple[np.ndarray, list[str]]:
    """The windows of ``path`` and the warnings given on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        windows = prepare(as_recording(path))
    return windows.data, [str(w.message) for w in caught]


def test_nanovolts_are_converted_to_volts(tmp_path, caplog):
    """A file in nV gives the windows of the same signal in µV, without the unit or amplitude
    warnings (its samples were read 1e9 times too large), and says it converted them."""
    micro, _ = _prepared(_write(tmp_path / "uv.edf", "uV", 1.0))
    with caplog.at_level(logging.INFO, logger="eegpt"):
        nano, said = _prepared(_write(tmp_path / "nv.edf", "nV", 1e3))
    np.testing.assert_allclose(nano, micro, rtol=1e-5, atol=1e-9 * np.abs(micro).max())
    assert not [s for s in said if "unit check" in s or "amplitude check" in s]
    assert "in nV as the header states" in caplog.text and "x1e-09" in caplog.text


def test_nanovolts_read_block_by_block_are_converted(tmp_path):
    """Read lazily (as files embedded block by block are), the samples are in volts too."""
    path = _write(tmp_path / "nv.edf", "nV", 1e3)
    lazy, _ = open_recording(path, preload=False, verbose="error")
    whole, _ = open_recording(path, preload=True, verbose="error")
    part = lazy.get_data(start=100, stop=600)
    np.testing.assert_allclose(part, whole.get_data(start=100, stop=600))
    assert 1e-6 < part.std() < 1e-4  # about 20 µV, not 20000 V


def test_a_blank_dimension_is_still_warned_of(tmp_path):
    """A blank physical dimension says no scale: read as volts and warned of, as before."""
    _, said = _prepared(_write(tmp_path / "blank.edf", "", 1.0))
    assert any("unit check" in s for s in said)


def test_a_rescaling_given_beside_the_conversion_is_warned_of(tmp_path):
    """A --rescale (a scale) given for a file in nV applies on top of eegpt's conversion: said,
    with what to do where it was given for the nanovolts."""
    from eegpt.preprocessing import PreprocessingConfig

    rec = as_recording(_write(tmp_path / "nv.edf", "nV", 1e3))
    with pytest.warns(RuntimeWarning, match=r"states nV, which eegpt converted .* rescaling by "
                      r"0\.5 .* both apply"):  # fmt: skip
        prepare(rec, preprocessing=PreprocessingConfig(scale=500.0))


def _with_dimension(path: Path, dimension: bytes) -> Path:
    """``path`` (an EDF file of 8 signals) with every signal's physical dimension set to the
    bytes ``dimension``, as a writer that is not ASCII-only puts it (edfio refuses those)."""
    raw = bytearray(path.read_bytes())
    for i in range(len(NAMES)):
        at = 256 + 96 * len(NAMES) + 8 * i  # label (16) and transducer (80) fields come first
        raw[at : at + 8] = dimension.ljust(8)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    ("dimension", "factor"),
    [
        (b"uv", 1.0),
        (b"UV", 1.0),
        (b"\xc2\xb5V", 1.0),  # micro sign in UTF-8
        (b"\xce\xbcV", 1.0),  # Greek mu in UTF-8
        (b"mv", 1e-3),
        (b"nv", 1e3),
        (b"uV\x00\x00\x00\x00\x00\x00", 1.0),  # padded with NULs, not spaces
        (b"mV\x00", 1e-3),
        (b"uV\xa0", 1.0),  # a Latin-1 no-break space, which MNE does not strip (ASCII only)
    ],
)
def test_other_spellings_of_a_voltage_unit_are_converted(tmp_path, caplog, dimension, factor):
    """A header's micro-, milli- or nanovolts in another letter case or written in UTF-8, which
    MNE matches exactly only and so read as volts (1e6 times too large for µV), give the
    windows of the same signal in µV, without unit or amplitude warnings, read whole or
    block by block, and the log names the unit as it reads."""
    micro, _ = _prepared(_write(tmp_path / "uv.edf", "uV", 1.0))
    path = _with_dimension(_write(tmp_path / "odd.edf", "uV", factor), dimension)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        odd, said = _prepared(path)
    np.testing.assert_allclose(odd, micro, rtol=1e-5, atol=1e-9 * np.abs(micro).max())
    assert not [s for s in said if "unit check" in s or "amplitude check" in s]
    assert "as the header states, which MNE reads as volts: converted" in caplog.text
    if dimension.startswith(b"\xc2"):
        assert "(µV written in UTF-8)" in caplog.text
    if dimension.endswith(b"\xa0"):
        assert "(uV padded with a non-ASCII space)" in caplog.text
    lazy, _ = open_recording(path, preload=False, verbose="error")
    assert 1e-6 < lazy.get_data(start=100, stop=600).std() < 1e-4  # about 20 µV


def test_megavolts_are_not_taken_for_millivolts(tmp_path):
    """``MV`` (megavolts by its letters, though surely meant as mV) is not converted: read as
    volts, with the unit and amplitude warnings that name the fix."""
    _, said = _prepared(_with_dimension(_write(tmp_path / "mv.edf", "mV", 1e-3), b"MV"))
    assert any("unit check" in s and "'MV'" in s for s in said)
    assert any("amplitude check" in s and "millivolts labelled as volts" in s for s in said)
