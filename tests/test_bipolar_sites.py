"""Derivations between 10-05 scalp sites outside EEGPT's vocabulary (CHB-MIT's T7-FT9,
FT9-FT10, FT10-T8) are recognised as bipolar, as those between vocabulary electrodes are."""

from __future__ import annotations

import pytest

from eegpt.channels import map_channels
from eegpt.errors import EEGPTWarning
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


def test_sites_outside_the_vocabulary_against_a_montage_s_reference_are_not_bipolar():
    """A montage against Cz (Fp1-Cz, F3-Cz, C3-Cz, O1-Cz: referential) with FT9-Cz and
    FT10-Cz: those two are dropped as electrodes outside the 62 names, not also said to 'look
    like bipolar derivations' (their Cz is the montage's reference, as the note on the others
    says); in a double banana the same sites are bipolar still."""
    names = ["Fp1-Cz", "F3-Cz", "C3-Cz", "O1-Cz", "FT9-Cz", "FT10-Cz"]
    with pytest.warns(EEGPTWarning) as got:
        mapping = map_channels(names)
    said = " ".join(" ".join(str(w.message) for w in got).split())
    assert mapping.names == ("FP1", "F3", "C3", "O1")
    assert "['FT9-Cz (FT9)', 'FT10-Cz (FT10)'] are electrodes outside EEGPT's 62 names" in said
    assert "look like bipolar" not in said, said
    with pytest.warns(EEGPTWarning, match=r"2 of them look like bipolar derivations \('T7-FT9'"):
        map_channels(["Cz", "Pz", "T7-FT9", "FT9-FT10"])
