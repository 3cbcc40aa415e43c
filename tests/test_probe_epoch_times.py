"""What a motor-imagery user merging sessions needs said: epochs cut at another time from
the cue (``epochs.tmin``) in training, validation and predictions, validation epochs
baseline-corrected otherwise than the training epochs, the channels every input of several
rates drops, EEGLAB epochs whose baseline is not recorded, and the inputs' own rates."""

from __future__ import annotations

import copy
import logging
import warnings

import mne
import numpy as np
import pytest

from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import train_probe
from eegpt.probe_inputs import merge_epochs
from eegpt.recording import Recording
from eegpt.synthetic import synthetic_erp_epochs, synthetic_erp_raw

ONE_SECOND = PreprocessingConfig(window_seconds=1.0, average_reference=False)
TMIN_SAID = "start at different times from their events"


def _texts(caught: list[warnings.WarningMessage], part: str) -> list[str]:
    """The messages of ``caught`` that hold ``part``."""
    return [str(w.message) for w in caught if part in str(w.message)]


@pytest.fixture(scope="module")
def cued():
    """1 s epochs of one recording at 250 Hz cut from the cue (tmin 0) and 0.2 s before it."""
    at_cue = synthetic_erp_epochs(40, seconds=1.0, tmin=0.0, seed=2)
    before = synthetic_erp_epochs(40, seconds=1.0, tmin=-0.2, seed=2)
    return at_cue, before


def test_training_inputs_cut_at_other_times_are_warned_of(model, cued):
    """train_probe(model, [e1, e2]) with e1 cut from the cue and e2 0.2 s before it said
    nothing (the merged epochs' tmin was just left unknown); it warns, and the probe records
    no tmin. Inputs cut alike record theirs."""
    at_cue, before = cued
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe = train_probe(model, [at_cue, before], preprocessing=ONE_SECOND, epochs=1)
    said = _texts(caught, TMIN_SAID)
    assert len(said) == 1 and "(epochs.tmin: 0 s, -0.2 s)" in said[0]
    assert any(TMIN_SAID in t for t in probe.training["warnings"])
    assert probe.training["epochs_tmin"] is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alike = train_probe(model, [before, before], preprocessing=ONE_SECOND, epochs=1)
    assert not _texts(caught, TMIN_SAID)
    assert alike.training["epochs_tmin"] == pytest.approx(-0.2)


def test_a_probe_warns_of_epochs_cut_at_another_time_than_its_training_epochs(model, cued):
    """A probe trained on epochs from the cue evaluated epochs cut 0.2 s earlier without a
    word (it checked the baseline, not tmin): it records its epochs' tmin and warns; epochs
    cut alike, windows of a recording (make_fixed_length_epochs) and probes saved before the
    record give no such warning."""
    at_cue, before = cued
    probe = train_probe(model, at_cue, preprocessing=ONE_SECOND, epochs=1)
    assert probe.training["epochs_tmin"] == 0.0
    said = r"trained on epochs starting 0 s from their events \(epochs.tmin\), but .* at -0.2 s"
    with pytest.warns(RuntimeWarning, match=said):
        probe.evaluate(before)
    probe._warned = {}  # each said once per probe: said again here
    with pytest.warns(RuntimeWarning, match=said):
        probe.predict(before)
    old = copy.copy(probe)
    old.training = {k: v for k, v in probe.training.items() if k != "epochs_tmin"}
    # windows of a continuous recording cut as epochs (tmin 0) are no trials: not checked
    raw, _, _ = synthetic_erp_raw(3, seed=3)
    windows = mne.make_fixed_length_epochs(raw, duration=1.0, preload=True, verbose=False)
    trained_before = train_probe(model, before, preprocessing=ONE_SECOND, epochs=1)
    for used, epochs in ((probe, at_cue), (old, before), (trained_before, windows)):
        used._warned = {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            used.predict(epochs)
        assert not _texts(caught, "epochs.tmin")


def test_validation_epochs_are_checked_against_the_training_epochs(model, cued):
    """Validation epochs given apart (validation=(data, y), --val-data) were not checked
    for the baseline and tmin of the training epochs, while an evaluation on them warned:
    they are, as the probe's predictions check data."""
    at_cue, before = cued
    corrected = at_cue.copy().apply_baseline((0.0, 0.1), verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_probe(model, corrected, validation=(before, None), preprocessing=ONE_SECOND,
                    epochs=1)  # fmt: skip
    baseline = _texts(caught, "baseline-corrected over 0 s to 0.1 s")
    assert len(baseline) == 1 and "but the validation epochs are not" in baseline[0]
    assert "validation scores on them" in baseline[0]
    tmin = _texts(caught, "epochs.tmin")
    assert len(tmin) == 1 and "but the validation epochs start at -0.2 s" in tmin[0]
    with warnings.catch_warnings(record=True) as caught:  # alike: nothing said
        warnings.simplefilter("always")
        train_probe(model, at_cue[:20], validation=(at_cue[20:], None),
                    preprocessing=ONE_SECOND, epochs=1)  # fmt: skip
    assert not _texts(caught, "validation epochs")


def test_epochs_cropped_to_their_window_compare_the_crop_not_their_own_tmin(model):
    """With crop_tmin (--crop) every epoch's window starts there from its event, whatever
    the epochs' own tmin: a probe trained on epochs from -1 s cropped at 0 s recorded -1 s
    (its input's tmin, uncropped), and warned of its own training epochs as cut 1 s later
    (their predictions crop them before comparing), and of validation epochs of another
    tmin cropped alike. It records the crop's start, and warns of none."""
    long = synthetic_erp_epochs(30, seconds=2.0, tmin=-1.0, seed=2)
    shorter = synthetic_erp_epochs(30, seconds=1.5, tmin=-0.5, seed=4)
    cropped = PreprocessingConfig(window_seconds=1.0, average_reference=False, crop_tmin=0.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe = train_probe(model, long, validation=(shorter, None), preprocessing=cropped,
                            epochs=1)  # fmt: skip
        assert probe.training["epochs_tmin"] == 0.0
        probe.evaluate(long)
        probe.predict(shorter)
    assert not _texts(caught, "epochs.tmin")


def test_windows_of_a_recording_some_dropped_as_bad_are_not_taken_for_trials(model, cued):
    """Windows of a continuous recording cut as epochs (make_fixed_length_epochs) are not
    checked against a probe's trials, but where MNE dropped those overlapping a BAD
    annotation (its default) their onsets were no longer evenly spaced, and they were taken
    for trials cut at 0 s: a probe trained on trials from -0.2 s warned of them. They are
    windows still (each onset a whole number of steps apart); trials are checked as before."""
    _, before = cued
    probe = train_probe(model, before, preprocessing=ONE_SECOND, epochs=1)
    raw, _, _ = synthetic_erp_raw(10, seed=3)
    raw.set_annotations(mne.Annotations([5.2], [1.0], ["BAD_motion"]))
    windows = mne.make_fixed_length_epochs(raw, duration=1.0, preload=True, verbose=False)
    assert len(windows) < raw.n_times // int(raw.info["sfreq"])  # some dropped as bad
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe.predict(windows)
    assert not _texts(caught, "epochs.tmin")
    at_cue = synthetic_erp_epochs(40, seconds=1.0, tmin=0.0, seed=2)
    with pytest.warns(RuntimeWarning, match=r"epochs.tmin\), but .* start at 0 s"):
        probe.predict(at_cue.drop([3, 4, 9], verbose=False))  # trials, some dropped


def _epochs(names: list[str], sfreq: float, seed: int) -> mne.EpochsArray:
    """Six labelled 1 s epochs of ``names`` at ``sfreq``."""
    rng = np.random.default_rng(seed)
    n = int(sfreq)
    events = np.array([[k * 2 * n, 0, 1 + k % 2] for k in range(6)])
    return mne.EpochsArray(
        rng.standard_normal((6, len(names), n)) * 1e-5,
        mne.create_info(names, sfreq, "eeg"),
        events=events,
        event_id={"a": 1, "b": 2},
        verbose=False,
    )


def test_channels_every_input_of_other_rates_drops_are_said_once_and_recorded(model, tmp_path):
    """Files at 128 and 200 Hz that both have TP9 and FT9 (outside the vocabulary): the
    warning each file's mapping gave was taken for one the merged epochs' mapping repeats,
    but those carry only the channels mapped, so the drop was never said nor recorded. It is
    said once for all inputs, and kept in the probe's training warnings."""
    names = ["Fz", "Cz", "Pz", "C3", "C4", "FT9", "TP9"]
    inputs = [tmp_path / "ses-1-epo.fif", tmp_path / "ses-2-epo.fif"]
    _epochs(names, 128.0, 0).save(inputs[0], verbose=False)
    _epochs(names, 200.0, 1).save(inputs[1], verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe = train_probe(model, inputs, preprocessing=ONE_SECOND, epochs=1)
    said = _texts(caught, "do not match the EEGPT vocabulary and were dropped")
    assert len(said) == 1 and said[0].startswith("2 inputs: ") and "'FT9', 'TP9'" in said[0]
    assert [t for t in probe.training["warnings"] if "'FT9', 'TP9'" in t]


def test_merged_epochs_whose_baseline_is_not_recorded_are_said_unknown_not_uncorrected():
    """Epochs baseline-corrected over -0.2 s to 0 s merged with EEGLAB .set epochs (which
    record no correction) were said "baseline-corrected differently by MNE (-0.2 s to 0 s,
    none)", while evaluating the .set epochs said their baseline is not recorded: both say
    it is not recorded, so eegpt cannot check it."""
    x = np.random.default_rng(0).standard_normal((4, 3, 256)) * 1e-5
    common = {"ch_names": ["Fz", "Cz", "Pz"], "sfreq": 256.0, "tmin": -0.2}
    corrected = Recording(x, source="a-epo.fif", baseline=(-0.2, 0.0), baseline_recorded=True,
                          **common)  # fmt: skip
    eeglab = Recording(x, source="b.set", baseline=None, baseline_recorded=False, **common)
    with pytest.warns(RuntimeWarning) as caught:
        merged = merge_epochs([corrected, eeglab])
    said = _texts(list(caught), "baseline-corrected")
    assert len(said) == 1 and "none" not in said[0]
    assert (
        "over -0.2 s to 0 s, but whether the epochs of 1 of them (b.set) were is not recorded"
        in said[0]
    )
    assert "cannot check" in said[0] and merged.baseline is None
    plain = Recording(x, source="c-epo.fif", baseline=None, baseline_recorded=True, **common)
    with pytest.warns(RuntimeWarning, match=r"differently by MNE \(-0.2 s to 0 s, none\)"):
        merge_epochs([corrected, plain])  # known to be uncorrected: said so, as before


def test_the_prepared_line_names_the_rates_of_inputs_merged_at_another(model, caplog):
    """After merging 128 Hz and 200 Hz epochs (resampled to 256 Hz first) the 'prepared'
    line said 'from 256 Hz': it names the inputs' own rates."""
    names = ["Fz", "Cz", "Pz", "C3", "C4"]
    inputs = [_epochs(names, 128.0, 0), _epochs(names, 200.0, 1)]
    with caplog.at_level(logging.INFO, logger="eegpt"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train_probe(model, inputs, preprocessing=ONE_SECOND, epochs=1, verbose=True)
    prepared = [r.getMessage() for r in caplog.records if "prepared " in r.getMessage()]
    assert prepared and "(from 128 Hz and 200 Hz, merged at 256 Hz," in prepared[0]


def test_trials_at_a_fixed_rate_or_with_a_double_trigger_are_not_taken_for_windows(model, cued):
    """Epochs whose onsets were each a whole number of the smallest step apart were taken for
    windows of a recording (no tmin recorded nor checked): trials at a fixed rate cut 0.2 s
    before their events with some rejected (a probe trained on them recorded no tmin), and
    trials of any spacing with two events a sample apart (a double trigger: every onset is
    a whole number of samples apart), so a probe trained from -0.2 s said nothing of them
    cut at 0 s. Windows start at 0 s, most of them one step apart; these are trials."""
    raw, events, event_id = synthetic_erp_raw(10, seed=3)
    sfreq = raw.info["sfreq"]
    rate = np.c_[np.arange(1, 40) * int(sfreq), np.zeros(39, int), np.arange(39) % 2 + 1]
    fixed = mne.Epochs(raw, rate, event_id, tmin=-0.2, tmax=0.8 - 1 / sfreq, baseline=None,
                       preload=True, verbose=False).drop([3, 4, 9], verbose=False)  # fmt: skip
    assert train_probe(model, fixed, preprocessing=ONE_SECOND, epochs=1).training[
        "epochs_tmin"
    ] == pytest.approx(-0.2)
    _, before = cued
    probe = train_probe(model, before, preprocessing=ONE_SECOND, epochs=1)
    raw, events, event_id = synthetic_erp_raw(40, seed=2)
    double = np.insert(events, 5, events[4] + [1, 0, 0], axis=0)  # a sample after the 5th
    at_cue = mne.Epochs(raw, double, event_id, tmin=0.0, tmax=1.0 - 1 / sfreq, baseline=None,
                        preload=True, verbose=False)  # fmt: skip
    assert len(at_cue) == 41
    with pytest.warns(RuntimeWarning, match=r"epochs.tmin\), but .* start at 0 s"):
        probe.predict(at_cue)
