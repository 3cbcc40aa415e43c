"""Which channels a pick reads, and what it says of channels of other types named like sites."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest

from eegpt.io import as_recording

_EEG = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "O1", "O2", "Cz"]
# channels of other types: four named like scalp sites, the others not
_OTHER = [("Fpz", "eog"), ("HEOG", "eog"), ("AF7", "emg"), ("ECG", "ecg"), ("POz", "bio"),
          ("Oz", "misc"), ("Resp", "resp"), ("STI 014", "stim")]  # fmt: skip
_SITES_MESSAGE = r"Fpz \(eog\), AF7 \(emg\), POz \(bio\), Oz \(misc\), picked by picks='all'"


def _polygraphy_raw() -> mne.io.RawArray:
    """A RawArray (128 Hz, 4 s, ~10 µV noise) of EEG and other signals, some of those named
    like scalp sites (:data:`_OTHER`)."""
    names = [*_EEG, *(name for name, _ in _OTHER)]
    types = ["eeg"] * len(_EEG) + [kind for _, kind in _OTHER]
    data = np.random.default_rng(0).standard_normal((len(names), 512)) * 1e-5
    return mne.io.RawArray(data, mne.create_info(names, 128.0, types), verbose="error")


def test_picks_all_warns_of_other_types_named_like_scalp_sites():
    """picks='all' reads Fpz typed eog, AF7 typed emg, POz typed bio and Oz typed misc, which
    map to those sites: one warning lists them with their types and says how to leave them out
    (picks='eeg') or keep them knowingly; channels of other types not named like sites (HEOG,
    ECG, Resp, the stim channel) are not in it."""
    with pytest.warns(RuntimeWarning, match=_SITES_MESSAGE) as record:
        rec = as_recording(_polygraphy_raw(), picks="all")
    assert "Fpz" in rec.ch_names and "Oz" in rec.ch_names
    said = [str(w.message) for w in record if "named like scalp sites" in str(w.message)]
    assert len(said) == 1
    assert "picks='eeg' (the default" in said[0] and "--picks eeg --picks eog" in said[0]
    assert not any(name in said[0] for name in ("HEOG", "ECG", "Resp", "STI 014", "Fp1 ("))


@pytest.mark.parametrize(
    "picks",
    [
        "eeg",  # the default: none of them read
        ["Fp1", "Cz", "Fpz", "AF7", "POz", "Oz"],  # named one by one: chosen knowingly
        ["eeg", "eog", "emg", "bio", "misc"],  # their types named: chosen knowingly
    ],
)
def test_other_types_named_like_sites_picked_knowingly_are_not_warned_about(picks):
    """No warning where the channels of other types named like sites are not read (the
    default picks='eeg'), are picked by name, or by naming their types (as the refusal of a
    pick without EEG channels advises for EEG stored as misc)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        as_recording(_polygraphy_raw(), picks=picks)
    assert not any("named like scalp sites" in str(w.message) for w in record)
