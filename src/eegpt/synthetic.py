"""A SYNTHETIC labelled EEG task for examples and tests: a P300-like oddball recording
(:func:`synthetic_erp_raw`, 19 10-20 channels, volts) and its epochs, one EEGPT window each
(:func:`synthetic_erp_epochs`). Nothing here is recorded EEG.
"""

from __future__ import annotations

import mne
import numpy as np

SYNTHETIC_CHANNELS: tuple[str, ...] = (
    "Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz",
    "C4", "T8", "P7", "P3", "Pz", "P4", "P8", "O1", "O2",
)  # fmt: skip

# Scalp weights of the synthetic P300-like component (a parietal-central positivity).
_P300_TOPOGRAPHY = {
    "Pz": 1.0, "P3": 0.75, "P4": 0.75, "Cz": 0.6, "C3": 0.4, "C4": 0.4,
    "O1": 0.35, "O2": 0.35, "P7": 0.3, "P8": 0.3, "Fz": 0.2,
}  # fmt: skip


def synthetic_erp_raw(
    n_trials: int = 200,
    *,
    sfreq: float = 250.0,
    soa: float = 4.5,
    amplitude: float = 20e-6,
    noise: float = 8e-6,
    seed: int = 0,
) -> tuple[mne.io.RawArray, np.ndarray, dict[str, int]]:
    """A SYNTHETIC continuous recording of a P300-like oddball task, with its events.

    Nothing here is recorded EEG. 19 10-20 channels carry independent 1/f ("pink") background
    noise of ``noise`` volts RMS (flattened below 2 Hz). A stimulus occurs every ``soa`` seconds
    (+-0.25 s jitter), the first after 1 s. Half the stimuli, in random order, are ``"target"``:
    they are followed by a parietal positive deflection peaking about 350 ms later (Gaussian,
    80 ms wide, latency jitter 40 ms) of ``amplitude`` volts at Pz and weaker at neighbouring
    electrodes; the others are ``"standard"`` and evoke nothing. The label of an epoch is thus
    decidable from the time course over parietal channels, and shuffled labels leave nothing to
    learn.

    Parameters
    ----------
    n_trials : int
        Number of stimuli.
    sfreq : float
        Sampling rate in Hz (250, as BCI Competition IV-2a; EEGPT resamples to 256).
    soa : float
        Mean stimulus onset asynchrony in seconds.
    amplitude, noise : float
        Peak of the component at Pz and background RMS, in volts.
    seed : int
        Random seed; the same seed gives the same recording.

    Returns
    -------
    raw : mne.io.RawArray
        Data in volts with a standard 10-20 montage.
    events : ndarray of int, shape (n_trials, 3)
        MNE events (sample, 0, code).
    event_id : dict
        ``{"standard": 1, "target": 2}``.
    """
    rng = np.random.default_rng(seed)
    onsets = 1.0 + soa * np.arange(n_trials) + rng.uniform(-0.25, 0.25, n_trials)
    n_times = int(round((onsets[-1] + soa + 1.0) * sfreq))
    labels = rng.permutation(np.arange(n_trials) % 2)
    n_ch = len(SYNTHETIC_CHANNELS)
    n_freqs = n_times // 2 + 1
    spectrum = rng.standard_normal((n_ch, n_freqs)) + 1j * rng.standard_normal((n_ch, n_freqs))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(n_times, 1 / sfreq), 2.0))
    data = np.fft.irfft(spectrum, n_times)
    data *= noise / data.std(axis=-1, keepdims=True)
    topography = np.array([_P300_TOPOGRAPHY.get(name, 0.0) for name in SYNTHETIC_CHANNELS])
    half = int(0.5 * sfreq)  # the component lies well inside +-0.5 s of its peak
    for onset in onsets[labels == 1]:
        peak = onset + 0.35 + rng.normal(0.0, 0.04)
        centre = int(round(peak * sfreq))
        idx = np.arange(centre - half, centre + half)
        wave = amplitude * np.exp(-0.5 * ((idx / sfreq - peak) / 0.08) ** 2)
        data[:, idx] += topography[:, None] * wave[None, :]
    info = mne.create_info(list(SYNTHETIC_CHANNELS), sfreq, ch_types="eeg")
    raw = mne.io.RawArray(data, info, verbose=False)
    builtin = mne.channels.get_builtin_montages()
    raw.set_montage("colin27_1020" if "colin27_1020" in builtin else "standard_1020", verbose=False)
    events = np.column_stack(
        [np.round(onsets * sfreq).astype(int), np.zeros(n_trials, int), labels + 1]
    )
    return raw, events, {"standard": 1, "target": 2}


def synthetic_erp_epochs(
    n_epochs: int = 200,
    *,
    sfreq: float = 250.0,
    tmin: float = -0.5,
    seconds: float = 4.0,
    amplitude: float = 20e-6,
    noise: float = 8e-6,
    seed: int = 0,
) -> mne.Epochs:
    """Labelled epochs of the SYNTHETIC oddball recording of :func:`synthetic_erp_raw`.

    Each epoch starts ``tmin`` seconds relative to its stimulus and lasts exactly ``seconds``
    (``seconds * sfreq`` samples: one EEGPT window), without baseline correction.

    Returns
    -------
    mne.Epochs
        Data loaded, in volts, ``event_id={"standard": 1, "target": 2}``; labels with
        :func:`eegpt.io.epochs_labels`.
    """
    soa = max(4.5, seconds + 0.5)
    raw, events, event_id = synthetic_erp_raw(
        n_epochs, sfreq=sfreq, soa=soa, amplitude=amplitude, noise=noise, seed=seed
    )
    return mne.Epochs(
        raw,
        events,
        event_id,
        tmin=tmin,
        tmax=tmin + seconds - 1 / sfreq,
        baseline=None,
        preload=True,
        verbose=False,
    )
