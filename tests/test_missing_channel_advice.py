"""The advice on an electrode one input lacks when inputs are merged (probe train of several
files): the channel to add named as the data label theirs (TUH's old 10-20 names: 'EEG
T6-REF', not 'EEG P8-REF'), and leaving it out by electrode (--keep-channels 10-20,-P8,
whatever each file labels it), not by one file's label alone."""

from __future__ import annotations

import mne
import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.probe import merge_epochs

TEN_TWENTY_TUH = [
    f"EEG {name}-REF"
    for name in ("FP1", "FP2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "F7", "F8",
                 "T3", "T4", "T5", "T6", "FZ", "CZ", "PZ")
]  # fmt: skip


def _epochs(names, seed):
    data = np.random.default_rng(seed).standard_normal((4, len(names), 256)) * 1e-5
    info = mne.create_info(names, 256.0, "eeg")
    return as_recording(mne.EpochsArray(data, info, verbose=False))


def test_a_missing_tuh_channel_is_named_as_the_data_name_it_and_left_out_by_electrode():
    full = _epochs(TEN_TWENTY_TUH, 0)
    lacking = _epochs([n for n in TEN_TWENTY_TUH if n != "EEG T6-REF"], 1)
    with pytest.raises(ValueError, match=r"\['EEG T6-REF'\] are missing here") as err:
        merge_epochs([full, lacking])
    text = str(err.value)
    assert "inst.add_reference_channels(['EEG T6-REF'])" in text, text
    assert "inst.info['bads'] = ['EEG T6-REF']" in text
    assert "P8-REF" not in text
    assert "--keep-channels 10-20,-P8: the electrode P8 whatever each file labels it" in text
    assert "keep=['10-20', '-P8']" in text
    assert "or this label alone: rename={'EEG T6-REF': None}; command line: --drop" in text
    # so given, the inputs merge on the 18 channels both have
    merged = merge_epochs([full, lacking], keep=["10-20", "-P8"])
    assert len(merged.ch_names) == 18 and "P8" not in merged.ch_names
