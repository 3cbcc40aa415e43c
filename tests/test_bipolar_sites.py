"""Derivations between 10-05 scalp sites outside EEGPT's vocabulary (CHB-MIT's T7-FT9,
FT9-FT10, FT10-T8) are recognised as bipolar, as those between vocabulary electrodes are."""

from __future__ import annotations

import pytest

from eegpt.channels import map_channels
from eegpt.vocabulary import is_bipolar

# CHB-MIT's 23 channels: a double banana, FT9/FT10 outside the vocabulary, T8-P8 twice
CHB_MIT = [
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1", "FP2-F4",
    "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8-0", "P8-O2", "FZ-CZ", "CZ-PZ",
    "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8-1",
]  # fmt: skip


def test_chb_mit_derivations_of_sites_outside_the_vocabulary_are_bipolar():
    """All 23 CHB-MIT channels are counted as bipolar derivations (was 20: those naming FT9 or
    FT10, 10-05 sites outside the 62 names, were not); a label against an ear or mastoid site
    (referential), an electrode against itself and a referential label are not."""
    for name in ("T7-FT9", "FT9-FT10", "FT10-T8", "EEG TP9-TP10", "FT9-FT10-1"):
        assert is_bipolar(name), name
    for name in ("Fp1-A1", "C3-M2", "EEG FT9-REF", "FT9", "FT9-FT9", "T3/T7", "EKG1-EKG2"):
        assert not is_bipolar(name), name
    with pytest.raises(ValueError, match=r"23 of them look like bipolar derivations \('FP1-F7'"):
        map_channels(CHB_MIT)
