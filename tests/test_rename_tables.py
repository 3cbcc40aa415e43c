"""Cap tables (``--rename biosemi64``) and the recordings they are applied to or not."""

from __future__ import annotations

import warnings

import pytest

from eegpt.channels import map_channels

# a polygraphy (sleep) file: six EEG electrodes with the ear electrodes, and the other signals
# a PSG records beside them
_PSG_EEG = ["F3", "F4", "C3", "C4", "O1", "O2", "A1", "A2"]
_PSG_OTHER = ["LOC", "ROC", "Chin1", "Chin2", "ECG", "Flow", "Thor", "Abdo", "SpO2", "Pleth"]


@pytest.mark.parametrize("n_other", [0, 4, 5, len(_PSG_OTHER)])
def test_a_cap_table_is_not_applied_to_a_psg_however_many_other_signals(n_other):
    """--rename biosemi64 over a corpus with a polygraphy file: its ear electrodes A1/A2 stay
    ear electrodes (left out, with the 'not applied' warning), not BioSemi's sockets A1/A2
    (Fp1, AF7), whether its ECG, EOG, chin EMG, flow ... channels are few or more than half of
    its labels (those are no electrodes: they do not count against its 10-10 names)."""
    names = _PSG_EEG + _PSG_OTHER[:n_other]
    with pytest.warns(RuntimeWarning, match="the table is not applied to it") as record:
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert mapping.names == ("F3", "F4", "C3", "C4", "O1", "O2")
    assert {"A1", "A2"} <= set(mapping.dropped)
    assert sum("not applied" in str(w.message) for w in record) == 1


def test_a_psg_with_fp1_under_a_cap_table_is_no_duplicate():
    """A polygraphy file that also has Fp1, with more other signals than electrodes: under
    --rename biosemi64 its A1 is no second Fp1 (socket A1) but an ear electrode left out,
    with the 'not applied' warning, not a duplicates error."""
    names = ["Fp1", *_PSG_EEG, *_PSG_OTHER]
    with pytest.warns(RuntimeWarning, match="not applied"):
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert mapping.names == ("FP1", "F3", "F4", "C3", "C4", "O1", "O2")


def test_a_socket_file_with_other_signals_still_gets_the_cap_table():
    """A BioSemi file labelled by sockets (A1..B32) with its external and other channels
    (EXG1..EXG8, ECG, Resp): the table applies, with no 'not applied' warning."""
    sockets = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    names = [*sockets, *(f"EXG{i}" for i in range(1, 9)), "ECG", "Resp"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mapping = map_channels(names, rename="biosemi64", on_missing="ignore")
    assert not any("not applied" in str(w.message) for w in record)
    assert mapping.names[:2] == ("FP1", "AF7") and len(mapping) == 60
