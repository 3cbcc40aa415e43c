"""EDF/BDF/GDF files whose channels are stored at different sampling rates.

MNE upsamples the slower channels to the fastest rate it reads. :func:`channel_rates` gives
each channel's stored rate (Hz), :func:`samples_rate` the rate the samples come at where a
stim channel is stored faster than the EEG; :func:`check_stretched` and
:func:`check_whole_reads` refuse MNE objects whose samples MNE would give wrongly (stretched in
time, or upsampled over a part read alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mne
import numpy as np

from eegpt._logging import few
from eegpt.errors import RecordingError


def channel_rates(raw: mne.io.BaseRaw) -> np.ndarray | None:
    """Native sampling rate (Hz) of each channel of an EDF/BDF/GDF ``raw``, else None.

    MNE upsamples channels stored at lower rates to ``raw.info["sfreq"]``; this says which.
    """
    try:  # private MNE reader details: give up quietly if they change
        extras = raw._raw_extras[0]
        n_samps = np.asarray(extras["n_samps"])[np.asarray(extras["sel"])]
        record_length = float(np.atleast_1d(extras["record_length"])[0])
        if not raw.preload:  # channels picked from a Raw opened with preload=False
            n_samps = n_samps[np.asarray(raw._read_picks[0])]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if len(n_samps) != len(raw.ch_names) or record_length <= 0:
        return None
    return n_samps / record_length


def samples_rate(raw: mne.io.BaseRaw) -> float:
    """The rate (Hz) of the samples MNE gives for ``raw``: ``raw.info["sfreq"]``, except for an
    EDF/BDF/GDF file with a channel typed stim stored faster than every other channel.

    MNE reads such a file at the stim channel's rate (every channel upsampled to it) but takes
    ``info["sfreq"]`` from the channels not typed stim, so the samples come faster than
    ``info["sfreq"]`` says by the ratio of the two rates (kept by a resampling in MNE).
    """
    sfreq = float(raw.info["sfreq"])
    rates = channel_rates(raw)
    if rates is None or not len(rates):
        return sfreq
    stim = set(mne.pick_types(raw.info, meg=False, ref_meg=False, stim=True, exclude=[]).tolist())
    others = [float(r) for i, r in enumerate(rates) if i not in stim]
    if not others:
        return sfreq
    return sfreq * float(rates.max()) / max(others)


def check_stretched(raw: mne.io.BaseRaw, source: str) -> None:
    """Refuse a Raw of an EDF/BDF/GDF file whose samples come faster than its
    ``info["sfreq"]`` says (:func:`samples_rate`): a channel typed stim stored faster than the
    EEG, which MNE reads every channel at while giving the EEG's rate, so that the recording
    would be embedded stretched in time."""
    rate, sfreq = samples_rate(raw), float(raw.info["sfreq"])
    if abs(rate - sfreq) <= 1e-6 * sfreq:
        return
    rates = channel_rates(raw)
    top = 0.0 if rates is None else float(rates.max())
    fast = (
        [] if rates is None else [n for n, r in zip(raw.ch_names, rates, strict=True) if r == top]
    )
    others = top * sfreq / rate
    quoted = ", ".join(repr(n) for n in fast[:6])
    found = (
        f"{source}: {few(fast) or 'a stim channel'} stored at {top:g} Hz beside channels at "
        f"{others:g} Hz: MNE reads every channel at {top:g} Hz but gives info['sfreq'] as the "
        f"rate of the channels not typed stim, so the recording would be embedded stretched "
        f"{rate / sfreq:g} times in time. "
    )
    if _is_bids_file(source):
        raise RecordingError(
            found + "A file of a BIDS dataset is read through MNE-BIDS, with its sidecars "
            "(its *_channels.tsv lists every channel), so eegpt cannot leave them out as it "
            "does for other files. Read it without them in Python and give eegpt the Raw "
            f"(its sidecars not applied): mne.io.read_raw_edf(path, exclude=[{quoted}]), or "
            "store the trigger channel at the EEG's rate"
        )
    raise RecordingError(
        found + "Give eegpt the file's path (it reads the EEG at its own rate, and "
        "--events-from-stim reads the triggers at theirs), or read it without them: "
        f"mne.io.read_raw_edf(path, exclude=[{quoted}])"
    )


def _is_bids_file(source: str) -> bool:
    """Whether ``source`` (a recording's name) is the path of a file of a BIDS dataset, which
    eegpt reads through MNE-BIDS (:func:`eegpt.bids.bids_root`)."""
    from eegpt.bids import bids_root

    path = Path(source)
    try:
        return path.is_file() and bids_root(path) is not None
    except OSError:  # a name that is no path
        return False


def check_whole_reads(
    inst: mne.io.BaseRaw | mne.BaseEpochs, used: Sequence[int], source: str
) -> None:
    """Refuse an MNE object whose samples MNE would read wrongly: opened with
    ``preload=False`` from an EDF/BDF/GDF file with channels at different rates, and either
    cropped or cut into epochs. MNE upsamples the slower channels over the span it reads, so a
    part of the file read alone differs from the same part of a whole read, in every sample
    (mne-tools/mne-python#10635). Read whole, as eegpt reads such files, it is exact.

    Parameters
    ----------
    inst : mne.io.Raw | mne.Epochs
    used : sequence of int
        Indices of the channels that will be read (into ``inst.ch_names``).
    source : str
        Names the recording in the message.
    """
    epochs = isinstance(inst, mne.BaseEpochs)
    raw = getattr(inst, "_raw", None) if epochs else inst  # private: an Epochs' lazy Raw
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    if isinstance(raw, mne.io.BaseRaw):
        check_stretched(raw, source)
    if not isinstance(raw, mne.io.BaseRaw) or raw.preload:
        return
    rates = channel_rates(raw)
    if rates is None or rates.min() >= raw.info["sfreq"]:
        return
    if epochs:
        by_name = dict(zip(raw.ch_names, rates, strict=True))
        slow = [
            inst.ch_names[i] for i in used if by_name.get(inst.ch_names[i], 0) < raw.info["sfreq"]
        ]
        what = "these epochs were cut from a Raw read with preload=False"
        how = (
            "read the file with preload=True before making the epochs "
            "(mne.io.read_raw_edf(path, preload=True))"
        )
    else:
        slow = [inst.ch_names[i] for i in used if rates[i] < raw.info["sfreq"]]
        try:  # private MNE details: each file's span as read, against its length
            spans = zip(raw._first_samps, raw._last_samps, raw._raw_extras, strict=True)
            if all(first == 0 and last == int(x["nsamples"]) - 1 for first, last, x in spans):
                return
        except (AttributeError, KeyError, TypeError, ValueError):
            return
        what = "this Raw was read with preload=False and cropped"
        how = (
            "read the file with preload=True before cropping "
            "(mne.io.read_raw_edf(path, preload=True).crop(...)), or embed the whole file and "
            "keep the windows you need by their onsets"
        )
    if slow:
        raise RecordingError(
            f"{source}: {what}, from a file whose channels are stored at different sampling "
            f"rates. MNE upsamples {few(slow)} over each span it reads, so reading part of the "
            "file changes every one of their samples (mne-tools/mne-python#10635). To embed "
            f"it, {how}."
        )
