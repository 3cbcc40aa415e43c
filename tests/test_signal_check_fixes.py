"""The signal checks' fixes of the persona testers' findings: epochs in another unit in
balanced groups or 1000x off, a header's mV unit holding µV, partly flat channels of epochs,
clipping and flat stretches inside rejected spans, and the stretches named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.vocabulary import VOCABULARY

NAMES = [n for n in VOCABULARY if n not in ("AF7", "AF8", "PO5", "PO6")][:32]


def _subjects(n_a: int = 30, n_b: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Two subjects' epochs in µV, (n, 32, 512): channels of their own sizes (~6-15 µV)."""
    rng = np.random.default_rng(0)
    profile = np.exp(rng.normal(0, 0.4, (32, 1)))
    a = rng.standard_normal((n_a, 32, 512)) * profile * 11
    b = rng.standard_normal((n_b, 32, 512)) * profile * 14
    return a, b


def _messages(data, check: str = "amplitude check", **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(data, **kwargs))
    return [str(w.message) for w in caught if check in str(w.message)]


@pytest.mark.parametrize("volts_first", [False, True])
def test_half_the_epochs_in_volts_among_microvolts_are_all_named(volts_first):
    """30 epochs of one subject in µV, 30 of another in volts, all declared µV: the whole
    input's median lay between the groups, so only half the odd epochs were named (µV first)
    or none at all (volts first). The reference is now a group of epochs alike, the one in
    scalp EEG's range where two are as large: every odd epoch is named."""
    a, b = _subjects()  # b the larger: the old median took both groups for one, or none
    x = np.concatenate([b * 1e-6, a]) if volts_first else np.concatenate([a, b * 1e-6])
    (text,) = _messages(x, ch_names=NAMES, sfreq=128.0, units="uV")
    odd = "epochs 0-29 (30 of 60)" if volts_first else "epochs 30-59 (30 of 60)"
    assert "8.46e-12 V against 6.77e-06 V" in text  # each group's own median
    assert f"mix scales (read with units='uV'): {odd} are ~1e6 times smaller" in text
    assert "another unit (V among µV)" in text and f"multiply {odd} by 1e+06" in text


def test_epochs_a_thousand_times_off_microvolts_are_warned_of():
    """10 of 60 epochs x1e-3 (~8 nV among ~10 µV) were left out as disconnected noise, and
    10 of 60 x1000 (~9 mV) passed unwarned (no volt multiple: nanovolts among microvolts)."""
    a, b = _subjects(40, 20)
    (text,) = _messages(np.concatenate([a, b[:10], b[10:] * 1e-3]), ch_names=NAMES,
                        sfreq=128.0, units="uV")  # fmt: skip
    assert "epochs 50-59 (10 of 60) are ~1e3 times smaller" in text
    assert "or another unit (mV among µV)?" in text
    (text,) = _messages(np.concatenate([a, b[:10], b[10:] * 1e3]), ch_names=NAMES,
                        sfreq=128.0, units="uV")  # fmt: skip
    assert "epochs 50-59 (10 of 60) are ~1e3 times larger" in text
    assert (
        "another unit (nV among µV)" in text and "multiply epochs 50-59 (10 of 60) by 0.001" in text
    )
