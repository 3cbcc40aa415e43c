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


def _raw_with_bads(bads: list[str]) -> mne.io.RawArray:
    """A RawArray (128 Hz, 4 s, ~10 µV noise) of the EEG channels :data:`_EEG`, ``bads``
    marked bad."""
    info = mne.create_info(_EEG, 128.0, "eeg")
    info["bads"] = bads
    data = np.random.default_rng(1).standard_normal((len(_EEG), 512)) * 1e-5
    return mne.io.RawArray(data, info, verbose="error")


def _bads_said(caplog: pytest.LogCaptureFixture, **kwargs: object) -> tuple[list[str], list[str]]:
    """``as_recording`` of :func:`_raw_with_bads` (Fp1, O2 bad) with ``kwargs``: the warnings
    and the log lines that say channels marked bad were left out."""
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("INFO", "eegpt"):
        warnings.simplefilter("always")
        rec = as_recording(_raw_with_bads(["Fp1", "O2"]), verbose=True, **kwargs)
    assert "Fp1" not in rec.ch_names and "O2" not in rec.ch_names  # left out all the same
    warned = [str(w.message) for w in caught if "marked bad" in str(w.message)]
    logged = [r.getMessage() for r in caplog.records if "marked bad" in r.getMessage()]
    return warned, logged


def test_bad_channels_the_keep_and_drop_lists_leave_out_are_logged_not_warned_of(caplog):
    """The pick knows the channels to keep and the drops: the bad channels they leave out
    anyway are one log line, not a warning; those they would use are warned of, alone."""
    warned, logged = _bads_said(caplog, keep="Cz,C3,C4")
    assert warned == [] and "marked bad ['Fp1', 'O2'] are left out" in logged[0]
    warned, logged = _bads_said(caplog, keep=["Fp1", "Cz", "C3"])  # O2 is outside keep
    assert len(warned) == 1 and "marked bad were left out: ['Fp1']. " in warned[0]
    assert "marked bad ['O2'] are left out" in logged[0]
    warned, _ = _bads_said(caplog, rename={"O2": None})  # --drop O2
    assert len(warned) == 1 and "marked bad were left out: ['Fp1']. " in warned[0]
    warned, logged = _bads_said(caplog, rename={"O2": None, "Fp1": "Fpz"}, keep="Cz,O2")
    assert warned == [] and "['Fp1', 'O2'] are left out" in logged[0]
    warned, logged = _bads_said(caplog)  # neither: warned of as ever
    assert len(warned) == 1 and "left out: ['Fp1', 'O2']. " in warned[0] and logged == []


def test_eegpt_channels_logs_bad_channels_keep_channels_leaves_out(tmp_path, capsys):
    """`eegpt channels FILE --keep-channels` says the bad channels outside the channels to keep
    as `eegpt embed` does (no warning), and warns only of those it keeps; for a continuous
    file (its header) and a file of epochs."""
    from eegpt.cli import main

    raw = _raw_with_bads(["Fp1", "O2"])
    files = [tmp_path / "sub-01_raw.fif", tmp_path / "sub-01-epo.fif"]
    raw.save(files[0], verbose="error")
    mne.make_fixed_length_epochs(raw, 1.0, verbose="error").save(files[1], verbose="error")
    for path in files:
        for keep, expected in (("Cz,C3,C4", []), ("Fp1,Cz,C3", ["['Fp1']. "])):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert main(["channels", str(path), "--keep-channels", keep]) == 0
            said = [str(w.message) for w in caught if "marked bad were left out" in str(w.message)]
            assert [e for e in expected if any(e in t for t in said)] == expected, (path, said)
            assert len(said) == len(expected), (path, said)
    capsys.readouterr()


_CZ_MONTAGE = ["Fp1-Cz", "Fp2-Cz", "C3-Cz", "C4-Cz", "O1-Cz", "O2-Cz"]


def test_bad_channels_are_judged_by_the_mapping_s_reading_of_the_labels(tmp_path, caplog):
    """In a montage against Cz, O1-Cz is O1 to the mapping: with O1 among the channels to
    keep, O1-Cz marked bad is a channel the user asked for, left out for its bad mark alone,
    so it is warned of; O2-Cz, outside them, is logged. Also through `eegpt channels FILE
    --keep-channels`."""
    from eegpt.cli import main

    info = mne.create_info(_CZ_MONTAGE, 128.0, "eeg")
    info["bads"] = ["O1-Cz", "O2-Cz"]
    data = np.random.default_rng(2).standard_normal((len(_CZ_MONTAGE), 512)) * 1e-5
    raw = mne.io.RawArray(data, info, verbose="error")
    keep = "Fp1,Fp2,C3,C4,O1"
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("INFO", "eegpt"):
        warnings.simplefilter("always")
        rec = as_recording(raw, keep=keep, verbose=True)
    assert rec.ch_names == ["Fp1-Cz", "Fp2-Cz", "C3-Cz", "C4-Cz"]
    warned = [str(w.message) for w in caught if "marked bad" in str(w.message)]
    logged = [r.getMessage() for r in caplog.records if "marked bad" in r.getMessage()]
    assert len(warned) == 1 and "marked bad were left out: ['O1-Cz']. " in warned[0]
    assert len(logged) == 1 and "marked bad ['O2-Cz'] are left out" in logged[0]
    path = tmp_path / "czref_raw.fif"
    raw.save(path, verbose="error")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["channels", str(path), "--keep-channels", keep]) == 0
    said = [str(w.message) for w in caught if "marked bad were left out" in str(w.message)]
    assert len(said) == 1 and "left out: ['O1-Cz']. " in said[0]
